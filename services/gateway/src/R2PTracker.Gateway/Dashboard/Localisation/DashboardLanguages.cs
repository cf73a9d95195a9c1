using System.Globalization;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.Primitives;

namespace R2PTracker.Gateway.Dashboard.Localisation;

/// <summary>
/// The dashboard's two languages. A reader's language is, in this order: the switch on every page
/// (kept in the <see cref="CookieRequestCultureProvider"/> cookie), <c>?lang=km|en</c>, the browser's
/// <c>Accept-Language</c>, then English. Khmer text is formatted as km-KH (Khmer month names); the
/// interface culture is the neutral <c>km</c> the resources are named for.
/// </summary>
public static class DashboardLanguages
{
    public const string English = "en";
    public const string Khmer = "km";

    public static readonly string[] All = [English, Khmer];

    /// <summary>The page parameter that picks a language for one request (and the links it renders).</summary>
    public const string QueryKey = "lang";

    public static bool IsLanguage(string? value) => value is English or Khmer;

    /// <summary>How dates and numbers are written for a language.</summary>
    public static string FormattingCulture(string language) => language == Khmer ? "km-KH" : English;

    public static RequestCulture RequestCultureFor(string language) => new(FormattingCulture(language), language);

    /// <summary>The language the request was resolved to (English when localisation has not run).</summary>
    public static string Of(HttpContext http) =>
        http.Features.Get<IRequestCultureFeature>()?.RequestCulture.UICulture.Name is Khmer ? Khmer : English;

    /// <summary>The language asked for by <c>?lang=</c>, if it is one of the two.</summary>
    public static string? FromQuery(HttpContext http) =>
        http.Request.Query[QueryKey] is [var lang] && IsLanguage(lang) ? lang : null;

    /// <summary>A link on a page that was asked for with <c>?lang=</c>: it keeps the language (cookie and header need no help).</summary>
    public static string Keep(string href, HttpContext? http) =>
        http is not null && FromQuery(http) is { } lang ? href + (href.Contains('?') ? '&' : '?') + QueryKey + "=" + lang : href;

    /// <summary>
    /// This page's absolute address in <paramref name="language"/> (<c>?lang=</c> set, every other parameter
    /// kept), or with no <c>?lang=</c> for null: the hreflang alternates and og:url.
    /// </summary>
    public static string Alternate(HttpContext http, string? language)
    {
        var query = http.Request.Query.Where(p => p.Key != QueryKey).SelectMany(p => p.Value.Select(v => KeyValuePair.Create(p.Key, v)));
        if (language is not null) query = query.Append(KeyValuePair.Create(QueryKey, (string?)language));
        return $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}{http.Request.Path}{QueryString.Create(query)}";
    }

    /// <summary>The page to come back to after switching: this one, without a <c>?lang=</c> the switch now overrides.</summary>
    public static string ReturnUrl(HttpContext? http)
    {
        if (http is null) return "/";
        var query = http.Request.Query.Where(p => p.Key != QueryKey).SelectMany(p => p.Value.Select(v => KeyValuePair.Create(p.Key, v)));
        return http.Request.PathBase + http.Request.Path + QueryString.Create(query);
    }

    public static IServiceCollection AddDashboardLocalisation(this IServiceCollection services)
    {
        services.AddLocalization(o => o.ResourcesPath = "Resources");
        services.Configure<RequestLocalizationOptions>(o =>
        {
            o.DefaultRequestCulture = RequestCultureFor(English);
            o.SupportedCultures = [.. All.Select(l => new CultureInfo(FormattingCulture(l)))];
            o.SupportedUICultures = [.. All.Select(l => new CultureInfo(l))];
            o.RequestCultureProviders =
            [
                new LanguageProvider(http => CookieLanguages(http)),
                new LanguageProvider(http => [FromQuery(http)]),
                new LanguageProvider(http => AcceptedLanguages(http)),
            ];
        });
        return services;
    }

    private static IEnumerable<string?> CookieLanguages(HttpContext http)
    {
        var cookie = http.Request.Cookies[CookieRequestCultureProvider.DefaultCookieName];
        if (cookie is null || CookieRequestCultureProvider.ParseCookieValue(cookie) is not { } parsed) return [];
        return [parsed.UICultures.FirstOrDefault().Value, parsed.Cultures.FirstOrDefault().Value];
    }

    /// <summary>The browser's languages, most wanted first ("km-KH, km;q=0.9, en;q=0.5").</summary>
    private static IEnumerable<string?> AcceptedLanguages(HttpContext http) =>
        http.Request.GetTypedHeaders().AcceptLanguage
            .Where(l => l.Quality is not 0)
            .OrderByDescending(l => l.Quality ?? 1)
            .Select(l => l.Value.Value);

    /// <summary>The first of a source's values that names one of the two languages (km-KH counts as km).</summary>
    private sealed class LanguageProvider(Func<HttpContext, IEnumerable<string?>> values) : RequestCultureProvider
    {
        public override Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext http)
        {
            var language = values(http).Select(LanguageOf).FirstOrDefault(IsLanguage);
            return Task.FromResult(language is null ? null : new ProviderCultureResult(new StringSegment(FormattingCulture(language)), new StringSegment(language)));
        }

        private static string? LanguageOf(string? tag) => tag?.Split('-', 2)[0].ToLowerInvariant();
    }
}
