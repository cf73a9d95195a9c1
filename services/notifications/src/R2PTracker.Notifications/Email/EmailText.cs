namespace R2PTracker.Notifications.Email;

/// <summary>
/// The words of the confirmation mail and the alerts: <c>IStringLocalizer&lt;EmailText&gt;</c> reads them
/// from Resources/Email/EmailText.resx (English) and EmailText.km.resx (Khmer), by symbolic keys such as
/// <c>Status.Subject</c>. Status names are the dashboard's, so a mail and the page it links to agree.
/// </summary>
public sealed class EmailText
{
    public static readonly string[] Statuses = ["NotYetRated", "InTheWorks", "Stalled", "Kept", "Compromise", "Broken"];
}
