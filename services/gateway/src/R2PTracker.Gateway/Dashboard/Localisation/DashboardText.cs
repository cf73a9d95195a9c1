namespace R2PTracker.Gateway.Dashboard.Localisation;

/// <summary>
/// The dashboard's interface strings: <c>IStringLocalizer&lt;DashboardText&gt;</c> reads them from
/// Resources/Dashboard/Localisation/DashboardText.resx (English) and DashboardText.km.resx (Khmer),
/// by symbolic keys such as <c>List.Heading</c>.
/// </summary>
public sealed class DashboardText;
