using Microsoft.Extensions.Options;

namespace R2PTracker.Commitments;

/// <summary>An options class that can say what is wrong with its values.</summary>
public interface IValidatedOptions
{
    IEnumerable<string> Problems();
}

/// <summary>
/// The service's settings, one class per area, bound from the section of the same name and validated
/// when the host starts, so a bad value stops the start with a message naming the setting instead of
/// surfacing at first use. The defaults in the classes are the ones written out in appsettings.json
/// (a test keeps them equal). Durations are TimeSpan strings ("00:00:00.050", "hh:mm:ss", "d.hh:mm:ss").
/// </summary>
public static class ValidatedOptions
{
    /// <param name="section">The section; "" for settings at the top level (PublicBaseUrl).</param>
    public static IServiceCollection AddValidatedOptions<T>(this IServiceCollection services, string section)
        where T : class, IValidatedOptions
    {
        // Unknown keys fail the bind: a misspelt or renamed setting (Daemon:PollingMilliseconds) is
        // refused rather than silently ignored. Not at the top level, which holds every other setting.
        services.AddOptions<T>().BindConfiguration(section, binder => binder.ErrorOnUnknownConfiguration = section != "").ValidateOnStart();
        services.AddSingleton<IValidateOptions<T>>(new Validator<T>(section));
        services.AddSingleton(provider => provider.GetRequiredService<IOptions<T>>().Value);
        return services;
    }

    private sealed class Validator<T>(string section) : IValidateOptions<T> where T : class, IValidatedOptions
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var prefix = section == "" ? "" : section + ":";
            var problems = options.Problems().Select(p => prefix + p).ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
