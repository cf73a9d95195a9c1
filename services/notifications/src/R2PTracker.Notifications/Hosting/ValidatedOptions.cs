using Microsoft.Extensions.Options;

namespace R2PTracker.Notifications.Hosting;

/// <summary>An options class that can say what is wrong with its values.</summary>
public interface IValidatedOptions
{
    IEnumerable<string> Problems();
}

public static class ValidatedOptions
{
    /// <summary>
    /// Binds <typeparamref name="T"/> to <paramref name="section"/>, validates it when the host starts
    /// (a bad value stops the service at once, naming the setting, rather than at first use), and
    /// registers the bound value itself so services take <typeparamref name="T"/> directly.
    /// </summary>
    public static IServiceCollection AddValidatedOptions<T>(this IServiceCollection services, string section)
        where T : class, IValidatedOptions
    {
        services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<T>>(new Validator<T>(section));
        services.AddSingleton(provider => provider.GetRequiredService<IOptions<T>>().Value);
        return services;
    }

    private sealed class Validator<T>(string section) : IValidateOptions<T> where T : class, IValidatedOptions
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            List<string> problems;
            try
            {
                problems = options.Problems().Select(p => $"{section}:{p}").ToList();
            }
            catch (FormatException e)
            {
                problems = [$"{section}: {e.Message}"];
            }
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
