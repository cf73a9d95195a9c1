using System.Globalization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.Localization;
using R2PTracker.Gateway.Caching;
using R2PTracker.Gateway.Dashboard.Charts;
using R2PTracker.Gateway.Dashboard.Components;
using R2PTracker.Gateway.Dashboard.Localisation;
using R2PTracker.Gateway.Dashboard.Log;
using R2PTracker.Gateway.Proxy;
using R2PTracker.Gateway.Staff;

namespace R2PTracker.Gateway.Dashboard;

/// <summary>Server-rendered dashboard pages (Razor components, which escape all text).</summary>
public static class DashboardEndpoints
{
    public static void MapDashboard(this WebApplication app)
    {
        app.MapSubmissionPages();
        app.MapGet("/", async (HttpContext http, CommitmentsClient commitments, StaffStore store, IAntiforgery antiforgery,
            TimeProvider clock, IStringLocalizer<DashboardText> t, CancellationToken ct) =>
        {
            VaryByLanguage(http);
            if (UnknownParameter(http, t) is { } refused) return refused;
            var staff = await StaffSession.CurrentAsync(http, store);
            var query = ListQuery.From(http.Request.Query);
            string? error = null;
            PledgeListPageData page = new([], 0, null);
            TalliesView? tallies = null;
            IReadOnlyList<SeriesPoint> series = [];
            try
            {
                page = await commitments.ListAsync(query, Localisation.DashboardLanguages.Of(http), ct);
                tallies = await commitments.TalliesAsync(query, ct);
                series = await ChartSeriesAsync(commitments, query, clock, ct);
            }
            catch (BackendException e) when (e.ValidationMessage(t) is { } message)
            {
                // commitments names the field; the reader sees which value to change.
                error = t["List.Error.Invalid", message];
                http.Response.StatusCode = StatusCodes.Status400BadRequest;
            }
            catch (Exception e) when (e is HttpRequestException or BackendException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                error = t["List.Error.Unavailable"];
                http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            }
            return new RazorComponentResult<PledgeListPage>(new
            {
                Query = query, Page = page, Tallies = tallies, Series = series, Error = error, Staff = staff,
                CsrfToken = staff is null ? null : antiforgery.GetAndStoreTokens(http).RequestToken,
            });
        }).CacheOutput(CachePolicies.PublicReads).RequireRateLimiting(RateLimits.PublicReads)
        .DashboardPage("The dashboard: the list of pledges with tallies and a chart (HTML).", 400, 429, 503);

        app.MapGet("/pledges/{id}", async (string id, HttpContext http, CommitmentsClient commitments, StaffStore store,
            IAntiforgery antiforgery, TimeProvider clock, IStringLocalizer<DashboardText> t, CancellationToken ct) =>
        {
            VaryByLanguage(http);
            if (UnknownParameter(http, t) is { } refused) return refused;
            var staff = await StaffSession.CurrentAsync(http, store);
            var pledge = await commitments.GetAsync(id, ct);
            if (pledge is null)
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return (IResult)new RazorComponentResult<ErrorPage>(new { Title = t["Error.PledgeNotFound.Title"].Value, Message = t["Error.PledgeNotFound.Message", id].Value });
            }
            var timeline = await commitments.TimelineAsync(id, ct);
            // The bands run to the as-of date the reader came with, or to today; an axis the service refuses is the default one.
            var query = ListQuery.From(http.Request.Query);
            var axis = query.Axis is "recorded" ? "recorded" : "occurred";
            var end = SeriesRange.LastDayOf(query.AsOf) ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
            var spans = await commitments.StatusHistoryAsync(id, axis, ct);
            var checkpoint = await LogReads.CheckpointOrNullAsync(commitments, ct);
            if (timeline.Any(e => checkpoint?.Covers(e.LogIndex) is not true)) LogReads.DoNotStore(http);
            return new RazorComponentResult<PledgePage>(new
            {
                Pledge = pledge, Timeline = timeline, Staff = staff, History = StatusBands.Layout(spans, end), HistoryAxis = axis,
                Today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime),
                Checkpoint = checkpoint,
                CsrfToken = staff is null ? null : antiforgery.GetAndStoreTokens(http).RequestToken,
            });
        }).CacheOutput(CachePolicies.PublicReads).RequireRateLimiting(RateLimits.PublicReads)
        .DashboardPage("One pledge's page: record, timeline and status history (HTML).", 400, 404, 429, 503);

        app.MapGet("/verify", async (HttpContext http, CommitmentsClient commitments, StaffStore store, IAntiforgery antiforgery,
            IStringLocalizer<DashboardText> t, CancellationToken ct) =>
        {
            VaryByLanguage(http);
            if (UnknownParameter(http, t) is { } refused) return refused;
            var staff = await StaffSession.CurrentAsync(http, store);
            var page = await VerifyPageData.ReadAsync(commitments, LogReads.PublicBaseUrl(http.Request), ct);
            if (page.SomethingUnavailable) LogReads.DoNotStore(http);
            else LogReads.StoreBriefly(http);
            return new RazorComponentResult<VerifyPage>(new
            {
                Data = page, Staff = staff, CsrfToken = staff is null ? null : antiforgery.GetAndStoreTokens(http).RequestToken,
            });
        }).CacheOutput(CachePolicies.PublicReads).RequireRateLimiting(RateLimits.PublicReads)
        .DashboardPage("The page that verifies the record against the signed transparency log (HTML).", 400, 429, 503);

        app.MapGet("/sign-in", (HttpContext http, string? returnUrl) =>
        {
            VaryByLanguage(http);
            return new RazorComponentResult<SignInPage>(new { ReturnUrl = returnUrl });
        }).RequireRateLimiting(RateLimits.PublicReads)
        .DashboardPage("The staff sign-in form (HTML).", 429);

        // The language switch on every page: kept in the localisation cookie, then back to the page it was
        // pressed on. Only a path on this site is gone back to, so the switch cannot send a reader elsewhere.
        app.MapPost("/language", async (HttpContext http) =>
        {
            if (!http.Request.HasFormContentType) return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "The language switch is a form.");
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            var language = form["lang"].ToString();
            if (!DashboardLanguages.IsLanguage(language))
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["lang"] = ["The language is 'km' or 'en'."] });
            var returnUrl = form["returnUrl"].ToString();
            http.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(DashboardLanguages.RequestCultureFor(language)),
                new CookieOptions
                {
                    Path = "/", HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = http.Request.IsHttps, IsEssential = true,
                    MaxAge = TimeSpan.FromDays(365),
                });
            return Results.Redirect(IsLocal(returnUrl) ? returnUrl : "/", permanent: false, preserveMethod: false);
        }).DisableAntiforgery().RequireRateLimiting(RateLimits.PublicReads)
        .DashboardForm<LanguageForm>("Choose the dashboard's language (a form; redirects back).", 400, 415, 429);

        app.MapPost("/auth/sign-in", async (HttpContext http, StaffStore store, SignInLimiter limiter,
            ILoggerFactory loggers, IStringLocalizer<DashboardText> t) =>
        {
            var logger = loggers.CreateLogger("R2PTracker.Gateway.SignIn");
            if (!http.Request.HasFormContentType)
                return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "The sign-in is a form.",
                    detail: "Send 'token' (and 'returnUrl') as application/x-www-form-urlencoded.");
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            var returnUrl = form["returnUrl"].ToString();
            if (!IsLocal(returnUrl)) returnUrl = "/";
            if (limiter.IsBlocked(http))
            {
                logger.LogWarning("Sign-in refused for {Remote}: too many failed attempts", http.Connection.RemoteIpAddress);
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = ((int)limiter.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                return (IResult)new RazorComponentResult<SignInPage>(new { Error = t["SignIn.Error.TooMany"].Value, ReturnUrl = returnUrl });
            }
            var staff = await store.FindByTokenAsync(form["token"].ToString().Trim(), http.RequestAborted);
            if (staff is null)
            {
                limiter.RecordFailure(http);
                logger.LogWarning("Sign-in refused for {Remote}: unknown or revoked token", http.Connection.RemoteIpAddress);
                http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return new RazorComponentResult<SignInPage>(new { Error = t["SignIn.Error.Invalid"].Value, ReturnUrl = returnUrl });
            }
            await StaffSession.SignInAsync(http, staff);
            logger.LogInformation("{Staff} ({Role}) signed in from {Remote}", staff.Name, staff.Role, http.Connection.RemoteIpAddress);
            return Results.LocalRedirect(returnUrl);
        }).DisableAntiforgery().RequireRateLimiting(RateLimits.PublicReads)
        .DashboardForm<SignInForm>("Sign in with a staff token (a form; redirects to returnUrl, or shows the form again with 401 or 429).", 415)
        .DashboardPage(null, 401);

        app.MapPost("/auth/sign-out", async (HttpContext http, IAntiforgery antiforgery) =>
        {
            if (!await antiforgery.IsRequestValidAsync(http)) return Results.Problem(statusCode: 403, title: "Anti-forgery check failed.");
            await http.SignOutAsync(StaffSession.Scheme);
            return Results.LocalRedirect("/");
        }).DisableAntiforgery().RequireRateLimiting(RateLimits.PublicReads)
        .DashboardForm<SignOutForm>("Sign out (a form with the anti-forgery token; redirects to /).", 403, 429);
    }

    /// <summary>
    /// A page refuses a query parameter it does not read (a 400 page naming it, or a problem for a
    /// client that asks for JSON), rather than answer as if it were not there: a mistyped filter is
    /// seen, and "?r=&lt;random&gt;" can neither miss the cache nor fill it.
    /// </summary>
    private static IResult? UnknownParameter(HttpContext http, IStringLocalizer<DashboardText> t)
    {
        var parameters = RouteParameters.For(http.Request.Path);
        string name, message;
        if (parameters.OthersRefused && parameters.FirstUnknown(http.Request.Query) is { } unknown)
            (name, message) = (unknown, t["Error.UnknownParameter.Message", unknown, string.Join(", ", parameters.Known)]);
        // Two languages, so "?lang=" makes at most two cache entries; any other value is seen as a mistake.
        else if (http.Request.Query.ContainsKey(DashboardLanguages.QueryKey) && DashboardLanguages.FromQuery(http) is null)
            (name, message) = (DashboardLanguages.QueryKey, t["Error.UnknownLanguage.Message", http.Request.Query[DashboardLanguages.QueryKey].ToString()]);
        else return null;
        if (http.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Value is "application/json" or "application/problem+json"))
            return Results.ValidationProblem(new Dictionary<string, string[]> { [name] = [message] }, title: "The request is not valid.");
        http.Response.StatusCode = StatusCodes.Status400BadRequest;
        return new RazorComponentResult<ErrorPage>(new { Title = t["Error.UnknownParameter.Title"].Value, Message = message });
    }

    /// <summary>
    /// The chart's series: a yearly survey finds the first year with a pledge, then the series runs from
    /// there to today (or a later as-of date) with the list's filters and axis, so an as-of date is
    /// seen with what came before and after it.
    /// </summary>
    private static async Task<IReadOnlyList<SeriesPoint>> ChartSeriesAsync(CommitmentsClient commitments, ListQuery query, TimeProvider clock, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var to = SeriesRange.LastDayOf(query.AsOf) is { } asOf && asOf > today ? asOf : today;
        if (to.Year < SeriesRange.EarliestYear) return [];
        var survey = await commitments.SeriesAsync(query, SeriesRange.Survey(to), ct);
        var first = survey.FirstOrDefault(p => p.Total > 0);
        return first is null ? [] : await commitments.SeriesAsync(query, SeriesRange.For(first.Date.Year, to), ct);
    }

    /// <summary>A page's words follow the cookie and Accept-Language, so a shared cache must keep them apart.</summary>
    private static void VaryByLanguage(HttpContext http) => http.Response.Headers.Append("Vary", "Cookie, Accept-Language");

    private static bool IsLocal(string url) =>
        url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal);
}
