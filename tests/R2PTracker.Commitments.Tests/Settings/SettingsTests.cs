using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using R2PTracker.Commitments.Feeds;
using R2PTracker.Commitments.Forwarding;
using R2PTracker.Commitments.Pledges.BecomingOverdue;
using R2PTracker.Commitments.Pledges.ReviewingVerdicts;
using R2PTracker.Commitments.Pledges.Importing;
using R2PTracker.Commitments.Tests.Integration;
using R2PTracker.ServiceDefaults;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.Commitments.Tests.Settings;

/// <summary>Commitments' settings: bound to one options class per area, checked when the host starts, and used.</summary>
public class SettingsTests
{
    /// <summary>The service's own registrations (AddPledges, on the shared defaults) over the given settings, built but not started.</summary>
    private static WebApplication Build(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults("commitments");
        builder.AddMessaging();
        builder.AddPledges(withLog: false);
        return builder.Build();
    }

    private static async Task<T> BindAsync<T>(Dictionary<string, string?> settings) where T : class
    {
        await using var host = Build(settings);
        return host.Services.GetRequiredService<IOptions<T>>().Value;
    }

    private static async Task<Exception> FailureOf(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception e)
        {
            return e;
        }
        throw new ShouldAssertException("Expected the settings to be refused, but they were accepted.");
    }

    [Fact]
    public void The_shipped_appsettings_are_the_defaults_and_valid()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        var shipped = new ConfigurationBuilder().AddJsonFile(path).Build();
        var daemon = shipped.GetSection(DaemonOptions.Section).Get<DaemonOptions>()!;
        daemon.Problems().ShouldBeEmpty();
        daemon.PollingInterval.ShouldBe(new DaemonOptions().PollingInterval);
        daemon.MinimumWakeInterval.ShouldBe(new DaemonOptions().MinimumWakeInterval);
        var overdue = shipped.GetSection(OverdueOptions.Section).Get<OverdueOptions>()!;
        overdue.Problems().ShouldBeEmpty();
        overdue.Enabled.ShouldBe(new OverdueOptions().Enabled);
        overdue.Interval.ShouldBe(new OverdueOptions().Interval);
        var import = shipped.GetSection(ImportOptions.Section).Get<ImportOptions>()!;
        import.Problems().ShouldBeEmpty();
        import.MaxBodyBytes.ShouldBe(new ImportOptions().MaxBodyBytes);
        import.PledgesPerTransaction.ShouldBe(new ImportOptions().PledgesPerTransaction);
        import.Writers.ShouldBe(new ImportOptions().Writers);
        import.MaxListedErrors.ShouldBe(new ImportOptions().MaxListedErrors);
        import.AnalyzeAfterEvents.ShouldBe(new ImportOptions().AnalyzeAfterEvents);
        var submissions = shipped.GetSection(R2PTracker.Commitments.Submissions.SubmissionOptions.Section).Get<R2PTracker.Commitments.Submissions.SubmissionOptions>()!;
        submissions.Problems().ShouldBeEmpty();
        submissions.MaxTextLength.ShouldBe(new R2PTracker.Commitments.Submissions.SubmissionOptions().MaxTextLength);
        submissions.MaxLinks.ShouldBe(new R2PTracker.Commitments.Submissions.SubmissionOptions().MaxLinks);
        submissions.PollingInterval.ShouldBe(new R2PTracker.Commitments.Submissions.SubmissionOptions().PollingInterval);
        shipped["PublicBaseUrl"].ShouldBe("");
        // Two-person review is on unless a deployment turns it off: one approval by another editor.
        var review = shipped.GetSection(ReviewOptions.Section).Get<ReviewOptions>()!;
        review.Problems().ShouldBeEmpty();
        new ReviewOptions().VerdictApprovals.ShouldBe(1);
        review.VerdictApprovals.ShouldBe(new ReviewOptions().VerdictApprovals);
    }

    [Theory]
    [InlineData("Daemon:PollingInterval", "00:00:00")]
    [InlineData("Daemon:PollingInterval", "00:01:00.001")]
    [InlineData("Daemon:MinimumWakeInterval", "-00:00:00.001")]
    [InlineData("Daemon:MinimumWakeInterval", "00:00:00.051")] // longer than the 50 ms poll
    [InlineData("Overdue:Interval", "00:00:00.999")]
    [InlineData("Overdue:Interval", "1.00:00:01")]
    [InlineData("Review:VerdictApprovals", "-1")]
    [InlineData("Review:VerdictApprovals", "6")]
    [InlineData("Import:MaxBodyBytes", "0")]
    [InlineData("Import:PledgesPerTransaction", "0")]
    [InlineData("Import:Writers", "0")]
    [InlineData("Import:MaxListedErrors", "0")]
    [InlineData("Import:AnalyzeAfterEvents", "-1")]
    [InlineData("PublicBaseUrl", "gateway")]
    [InlineData("PublicBaseUrl", "https://tracker.example.org/?from=feed")]
    public async Task A_value_out_of_range_is_refused_naming_the_setting(string key, string value)
    {
        var failure = (await FailureOf(() => BindAsync(key, value))).ShouldBeOfType<OptionsValidationException>();
        failure.Message.ShouldContain(key);
    }

    [Theory]
    [InlineData("Daemon:PollingInterval", "50")] // read as 50 days, not milliseconds
    [InlineData("Daemon:PollingInterval", "fifty milliseconds")]
    [InlineData("Overdue:Enabled", "maybe")]
    [InlineData("Import:Writers", "three")]
    public async Task A_value_of_the_wrong_type_is_refused_naming_the_setting(string key, string value) =>
        (await FailureOf(() => BindAsync(key, value))).ToString().ShouldContain(key);

    [Theory]
    [InlineData("Daemon:PollingMilliseconds", "50")]
    [InlineData("Daemon:MinimumWakeMilliseconds", "20")]
    [InlineData("Overdue:IntervalSeconds", "60")]
    public async Task A_renamed_or_misspelt_setting_is_refused_rather_than_ignored(string key, string value) =>
        (await FailureOf(() => BindAsync(key, value))).ShouldBeOfType<InvalidOperationException>().Message.ShouldContain(key.Split(':')[1]);

    private static async Task BindAsync(string key, string value)
    {
        var settings = new Dictionary<string, string?> { [key] = value };
        _ = key.Split(':')[0] switch
        {
            DaemonOptions.Section => await BindAsync<DaemonOptions>(settings),
            OverdueOptions.Section => await BindAsync<OverdueOptions>(settings),
            ImportOptions.Section => await BindAsync<ImportOptions>(settings),
            ReviewOptions.Section => await BindAsync<ReviewOptions>(settings),
            _ => (object)await BindAsync<PublicLinksOptions>(settings),
        };
    }

    [Theory]
    [InlineData("Daemon:PollingInterval", "00:00:00")]
    [InlineData("Daemon:MinimumWakeInterval", "-00:00:01")]
    [InlineData("Overdue:Interval", "00:00:00")]
    [InlineData("Overdue:Enabled", "maybe")]
    [InlineData("Import:Writers", "0")]
    [InlineData("PublicBaseUrl", "gateway")]
    public async Task A_bad_setting_stops_the_host_naming_it(string key, string value)
    {
        await using var variant = new GatedStartFactory<Program>(b => b.ConfigureAppConfiguration((_, c) => c.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value })));
        (await FailureOf(() => Task.FromResult(variant.Server))).ToString().ShouldContain(key);
    }

    [Fact]
    public async Task The_daemon_polls_and_is_woken_at_the_configured_intervals()
    {
        await using var host = Build(new()
        {
            ["Daemon:PollingInterval"] = "00:00:00.075",
            ["Daemon:MinimumWakeInterval"] = "00:00:00.030",
        });
        var store = host.Services.GetRequiredService<StoreOptions>();
        store.Projections.FastPollingTime.ShouldBe(TimeSpan.FromMilliseconds(75));
        store.Projections.SlowPollingTime.ShouldBe(TimeSpan.FromMilliseconds(75));
        var wakeup = store.Projections.Wakeup.ShouldBeOfType<AppendWakeup>();
        wakeup.MinimumInterval.ShouldBe(TimeSpan.FromMilliseconds(30));
        store.Listeners.ShouldContain(wakeup);
    }

    [Fact]
    public async Task With_the_overdue_monitor_disabled_it_never_runs_a_pass()
    {
        await using var host = Build(new() { ["Overdue:Enabled"] = "false" });
        var monitor = host.Services.GetRequiredService<OverdueMonitor>();
        await monitor.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            // Enabled, its loop would run until the host stops.
            await monitor.ExecuteTask.ShouldNotBeNull().WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        }
        finally
        {
            await monitor.StopAsync(CancellationToken.None);
        }
    }
}
