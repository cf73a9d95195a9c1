using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using R2PTracker.ServiceDefaults;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.Gateway.Tests;

/// <summary>Outside Development a service refuses the placeholder secrets of the example files, naming the setting and not its value.</summary>
public class PlaceholderSecretsTests(GatewayApp app)
{
    private static IConfiguration Settings(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();

    [Theory]
    [InlineData("change-me")]
    [InlineData("CHANGE-ME")]
    [InlineData("changeme")]
    [InlineData("change_me")]
    [InlineData("Password")]
    [InlineData("secret")]
    [InlineData("placeholder")]
    public void Each_placeholder_is_recognised_whatever_its_case(string value) =>
        PlaceholderSecrets.IsPlaceholder(value).ShouldBeTrue();

    [Theory]
    [InlineData("guest")] // RabbitMQ's default, which the test broker uses
    [InlineData("change-me-please-to-something-long")]
    [InlineData("s3cr3t-Kq8vN2")]
    [InlineData("")]
    [InlineData(null)]
    public void Other_values_are_not_placeholders(string? value) =>
        PlaceholderSecrets.IsPlaceholder(value).ShouldBeFalse();

    [Fact]
    public void The_postgres_password_the_amqp_password_and_the_signing_key_are_each_checked()
    {
        var found = PlaceholderSecrets.Find(Settings(
            ("ConnectionStrings:Postgres", "Host=postgres;Username=r2p;Password=change-me;Database=r2p"),
            ("ConnectionStrings:RabbitMq", "amqp://r2p:change-me@rabbitmq:5672/"),
            ("InternalAuth:SigningKey", "change-me")));

        found.Count.ShouldBe(3);
        found[0].ShouldStartWith("ConnectionStrings:Postgres");
        found[1].ShouldStartWith("ConnectionStrings:RabbitMq");
        found[2].ShouldBe("InternalAuth:SigningKey");
    }

    [Fact]
    public void Real_secrets_a_guest_broker_and_missing_settings_pass()
    {
        PlaceholderSecrets.Find(Settings(
            ("ConnectionStrings:Postgres", "Host=postgres;Username=r2p;Password=Kq8vN2-real;Database=r2p"),
            ("ConnectionStrings:RabbitMq", "amqp://guest:guest@127.0.0.1:5672/"),
            ("InternalAuth:SigningKey", "a-signing-key-of-at-least-32-characters"))).ShouldBeEmpty();
        PlaceholderSecrets.Find(Settings()).ShouldBeEmpty();
        PlaceholderSecrets.Find(Settings(("ConnectionStrings:Postgres", "Host=postgres"), ("ConnectionStrings:RabbitMq", "amqp://rabbitmq/"))).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("amqp://r2p:change%2Dme@rabbitmq/", "change-me")]
    [InlineData("amqp://r2p:a:b@rabbitmq/", "a:b")]
    [InlineData("amqp://r2p@rabbitmq/", null)]
    [InlineData("not a uri", null)]
    public void The_amqp_password_is_read_from_the_uri_unescaped(string uri, string? password) =>
        PlaceholderSecrets.AmqpPassword(uri).ShouldBe(password);

    [Fact]
    public void A_refusal_names_the_setting_and_never_prints_the_value()
    {
        var refusal = Should.Throw<InvalidOperationException>(() =>
            PlaceholderSecrets.RefuseAny(Settings(("ConnectionStrings:Postgres", "Host=db.internal;Username=r2p;Password=Change-Me"))));
        refusal.Message.ShouldContain("ConnectionStrings:Postgres");
        refusal.Message.ShouldNotContain("Change-Me");
        refusal.Message.ShouldNotContain("db.internal");
    }

    // Gated: a start that fails before the factory listens would report ObjectDisposedException instead.
    private Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> WithPlaceholderPassword(string environment, string? username = null) =>
        new GatedStartFactory<Program>(b => b.UseEnvironment(environment)
            .UseSetting("ConnectionStrings:Postgres", app.ConnectionString
                + (username is null ? "" : $";Username={username}") + ";Password=change-me"));

    /// <summary>A role whose password really is the placeholder (the test server asks every connection for a password).</summary>
    private async Task<string> RoleWithPlaceholderPasswordAsync()
    {
        var name = "placeholder_" + Guid.NewGuid().ToString("N")[..8];
        await using var connection = new Npgsql.NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var create = new Npgsql.NpgsqlCommand($"create role {name} login superuser password 'change-me'", connection);
        await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        return name;
    }

    [Fact]
    public async Task The_gateway_refuses_to_start_in_Production_with_a_placeholder_postgres_password()
    {
        await using var production = WithPlaceholderPassword("Production");
        var failure = Should.Throw<Exception>(() => production.Server);
        failure.ToString().ShouldContain("ConnectionStrings:Postgres");
        failure.ToString().ShouldContain("placeholder");
        failure.ToString().ShouldNotContain("change-me");
    }

    [Fact]
    public async Task The_gateway_starts_in_Development_with_a_placeholder_postgres_password()
    {
        await using var development = WithPlaceholderPassword("Development", await RoleWithPlaceholderPasswordAsync());
        using var client = development.CreateClient();
        (await client.GetAsync("/health/live", TestContext.Current.CancellationToken)).IsSuccessStatusCode.ShouldBeTrue();
    }
}
