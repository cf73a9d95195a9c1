namespace R2PTracker.Gateway.Dashboard;

/// <summary>The fields of the dashboard's forms, as the API description shows them (the handlers read the form by name).</summary>
public sealed record LanguageForm(string Lang, string? ReturnUrl);

public sealed record SignInForm(string Token, string? ReturnUrl);

public sealed record SignOutForm(string __RequestVerificationToken);

/// <summary>What the dashboard's pages and forms answer, for the API description.</summary>
public static class DashboardDescription
{
    private const string Html = "text/html";

    /// <summary>An HTML page, and the HTML pages it answers with each of <paramref name="statuses"/> (429, the rate limiter's, is a problem).</summary>
    public static RouteHandlerBuilder DashboardPage(this RouteHandlerBuilder builder, string? summary, params int[] statuses)
    {
        if (summary is not null) builder = builder.WithTags("Dashboard").WithSummary(summary).Produces<string>(StatusCodes.Status200OK, Html);
        foreach (var status in statuses)
            builder = status == StatusCodes.Status429TooManyRequests ? builder.ProducesProblem(status) : builder.Produces<string>(status, Html);
        return builder;
    }

    /// <summary>A form post that redirects (303/302) on success, or answers one of <paramref name="problems"/> as problem details.</summary>
    public static RouteHandlerBuilder DashboardForm<TForm>(this RouteHandlerBuilder builder, string summary, params int[] problems) where TForm : notnull
    {
        builder = builder.WithTags("Dashboard").WithSummary(summary)
            .Accepts<TForm>("application/x-www-form-urlencoded", "multipart/form-data")
            .Produces(StatusCodes.Status302Found);
        foreach (var status in problems)
            builder = status == StatusCodes.Status400BadRequest ? builder.ProducesValidationProblem() : builder.ProducesProblem(status);
        return builder;
    }
}
