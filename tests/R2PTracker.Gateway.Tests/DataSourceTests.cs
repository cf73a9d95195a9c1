using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using R2PTracker.Testing;
using Shouldly;

namespace R2PTracker.Gateway.Tests;

public class DataSourceTests(GatewayApp app)
{
    [Fact]
    public void The_health_check_uses_the_one_data_source_from_DI()
    {
        var services = app.Factory.Services;
        DataSources.OfHealthCheck(services).ShouldBeSameAs(services.GetRequiredService<NpgsqlDataSource>());
    }
}
