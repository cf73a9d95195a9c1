using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using R2PTracker.Testing;
using Shouldly;
using Weasel.Postgresql;

namespace R2PTracker.Commitments.Tests.Integration;

public class DataSourceTests(CommitmentsApp app)
{
    [Fact]
    public void Marten_and_the_health_check_use_the_one_data_source_from_DI()
    {
        var services = app.Factory.Services;
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();
        services.GetRequiredService<IDocumentStore>().Storage.Database.ShouldBeAssignableTo<PostgresqlDatabase>()!
            .DataSource.ShouldBeSameAs(dataSource);
        DataSources.OfHealthCheck(services).ShouldBeSameAs(dataSource);
    }
}
