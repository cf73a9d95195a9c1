using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Shouldly;

namespace R2PTracker.Deploy.Tests;

/// <summary>
/// Least privilege as deploy/local/lib.sh sets it up for up.sh (and the tests and benches): PostgreSQL asks
/// every connection for a password, each service is a role that owns its schema and reaches no other, and
/// each is a RabbitMQ user of its own on a broker without guest. Each test starts servers of its own.
/// </summary>
public sealed class LeastPrivilegeTests
{
    private static readonly string[] Services = ["commitments", "notifications", "gateway"];

    /// <summary>Runs <paramref name="script"/> after sourcing lib.sh, in a directory of its own (DIR), and returns its output.</summary>
    private static async Task<string> WithLibAsync(DirectoryInfo dir, string script) =>
        (await DeployFiles.RunAsync("bash", ["-c",
            // (As root, PostgreSQL runs as the postgres user, who must reach the data directory's parent.)
            $"set -e; chmod 755 '{dir.FullName}'; DIR='{dir.FullName}'; source deploy/local/lib.sh; {script}"], DeployFiles.Root)).Trim();

    private static async Task<(DirectoryInfo Dir, int Port)> PostgresAsync(string prepare = "")
    {
        var dir = Directory.CreateTempSubdirectory("r2p-lp-");
        var port = int.Parse(await WithLibAsync(dir, $"port=$(free_port_block 1); {prepare} pg_start \"$DIR/pg\" \"$port\" \"$DIR/pg.log\" fast; echo \"$port\""));
        return (dir, port);
    }

    private static Task StopAsync(DirectoryInfo dir) => WithLibAsync(dir, "pg_stop \"$DIR/pg\"; rm -rf \"$DIR\"");

    private static string Superuser(DirectoryInfo dir, int port, string? password) =>
        $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false" + (password is null ? "" : $";Password={password}");

    private static async Task<string?> RefusalAsync(string connectionString, string sql = "select 1")
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
            return null;
        }
        catch (PostgresException e) { return e.SqlState; }
        catch (NpgsqlException e) when (e.InnerException is null || e.Message.Contains("password", StringComparison.OrdinalIgnoreCase)) { return "no password"; }
    }

    [Fact]
    public async Task PostgreSQL_asks_every_connection_for_a_password_and_keeps_the_superuser_s_in_a_file_of_mode_600()
    {
        var (dir, port) = await PostgresAsync();
        try
        {
            (await RefusalAsync(Superuser(dir, port, null))).ShouldNotBeNull("a connection without a password got in");
            (await RefusalAsync(Superuser(dir, port, "wrong"))).ShouldBe("28P01");
            (await RefusalAsync(Superuser(dir, port, await File.ReadAllTextAsync(dir.FullName + "/pg.password", TestContext.Current.CancellationToken)))).ShouldBeNull();
            (await WithLibAsync(dir, "stat -c %a \"$DIR/pg.password\"")).ShouldBe("600");
            (await WithLibAsync(dir, "as_pg grep -cE '^[^#]*trust' \"$DIR/pg/pg_hba.conf\" || true")).ShouldBe("0");
        }
        finally { await StopAsync(dir); }
    }

    [Fact]
    public async Task A_cluster_made_earlier_with_trust_gets_a_password_and_stops_trusting_on_its_next_start()
    {
        // What pg_start used to make: initdb --auth=trust.
        var (dir, port) = await PostgresAsync(
            "mkdir -p \"$DIR/pg\"; [ \"$(id -u)\" = 0 ] && chown postgres \"$DIR/pg\"; as_pg \"$(pg_bin)/initdb\" -D \"$DIR/pg\" -U postgres --auth=trust >/dev/null;");
        try
        {
            (await RefusalAsync(Superuser(dir, port, null))).ShouldNotBeNull("the old cluster still trusts a connection without a password");
            (await RefusalAsync(Superuser(dir, port, await File.ReadAllTextAsync(dir.FullName + "/pg.password", TestContext.Current.CancellationToken)))).ShouldBeNull();
        }
        finally { await StopAsync(dir); }
    }

    [Fact]
    public async Task Each_service_role_owns_its_schema_reaches_no_other_and_takes_over_what_a_superuser_made_before()
    {
        var (dir, port) = await PostgresAsync();
        try
        {
            var connections = (await WithLibAsync(dir, $"""
                pg_create_db "$DIR/pg" {port} r2p
                pg_psql "$DIR/pg" {port} -d r2p -c 'create schema gateway; create table gateway.staff (id int generated always as identity, name text)'
                pg_service_roles "$DIR/pg" {port} r2p r2p "$DIR/secrets"
                pg_service_roles "$DIR/pg" {port} r2p r2p "$DIR/secrets"
                for s in {string.Join(' ', Services)}; do pg_service_connection {port} r2p r2p "$DIR/secrets" $s; done
                """)).Split('\n');
            var roles = Services.Zip(connections).ToDictionary(p => p.First, p => p.Second + ";Pooling=false");

            foreach (var service in Services)
            {
                // Its own schema: it creates, writes and reads there.
                (await RefusalAsync(roles[service], $"create table {service}.probe (x int); insert into {service}.probe values (1); select * from {service}.probe")).ShouldBeNull(service);
                // Nobody else's: neither reads nor writes another service's schema…
                foreach (var other in Services.Where(o => o != service))
                    (await RefusalAsync(roles[service], $"select * from {other}.probe")).ShouldBe("42501", $"{service} reads {other}'s schema");
                // …nor makes schemas, roles or databases, nor connects to another database.
                (await RefusalAsync(roles[service], "create schema elsewhere")).ShouldBe("42501", service);
                (await RefusalAsync(roles[service], "create role intruder")).ShouldBe("42501", service);
                (await RefusalAsync(roles[service], "create table public.probe (x int)")).ShouldBe("42501", service);
                (await RefusalAsync(roles[service].Replace("Database=r2p", "Database=postgres"))).ShouldBe("42501", service);
            }
            // The table a superuser made before belongs to the gateway's role now, its sequence with it.
            (await RefusalAsync(roles["gateway"], "insert into gateway.staff (name) values ('x')")).ShouldBeNull();
            (await RefusalAsync(roles["commitments"], "select * from gateway.staff")).ShouldBe("42501");
            // A role's password is in a file of mode 600.
            (await WithLibAsync(dir, "stat -c %a \"$DIR/secrets/postgres-commitments.password\"")).ShouldBe("600");
        }
        finally { await StopAsync(dir); }
    }

    [Fact]
    public async Task RabbitMQ_keeps_no_guest_and_each_service_user_reaches_its_virtual_host_alone()
    {
        var dir = Directory.CreateTempSubdirectory("r2p-lp-mq-");
        var port = int.Parse(await WithLibAsync(dir, "port=$(free_port_block 3); rabbit_start \"$DIR/rabbit\" \"$port\" >/dev/null; echo \"$port\""));
        try
        {
            var uris = (await WithLibAsync(dir, $"""
                rabbit_ctl "$DIR/rabbit" {port} add_vhost other >/dev/null
                rabbit_service_users "$DIR/rabbit" {port} / r2p "$DIR/secrets" --delete-guest
                for s in {string.Join(' ', Services)}; do rabbit_service_uri {port} / r2p "$DIR/secrets" $s; done
                """)).Split('\n');
            uris.Length.ShouldBe(3);

            (await ConnectAsync($"amqp://guest:guest@127.0.0.1:{port}/")).ShouldBe("refused", "guest is still there");
            foreach (var uri in uris)
            {
                (await ConnectAsync(uri)).ShouldBe("connected", uri[..uri.IndexOf(':', 5)]);
                (await ConnectAsync(uri + "other")).ShouldBe("refused", "a service user reaches another virtual host");
                (await ConnectAsync(uri.Replace(uri[(uri.IndexOf(':', 5) + 1)..uri.IndexOf('@')], "wrong"))).ShouldBe("refused");
            }
            (await WithLibAsync(dir, "stat -c %a \"$DIR/secrets/rabbitmq-gateway.password\"")).ShouldBe("600");
        }
        finally
        {
            await WithLibAsync(dir, $"rabbit_stop \"$DIR/rabbit\" {port}; rm -rf \"$DIR\"");
        }
    }

    [Fact]
    public async Task The_containers_PostgreSQL_init_script_makes_the_same_roles_and_refuses_a_placeholder_password()
    {
        var (dir, port) = await PostgresAsync();
        try
        {
            // As the postgres image runs it: psql reaches the server through the environment.
            const string run = """
                pg_create_db "$DIR/pg" "$PORT" r2p
                PGHOST=127.0.0.1 PGPORT="$PORT" PGPASSWORD="$(pg_password "$DIR/pg")" POSTGRES_USER=postgres POSTGRES_DB=r2p \
                  R2P_SERVICE_ROLES_SQL=deploy/k8s/service-roles.sql R2P_POSTGRES_COMMITMENTS_PASSWORD=c0mmitments \
                  R2P_POSTGRES_NOTIFICATIONS_PASSWORD="$NOTIFICATIONS" R2P_POSTGRES_GATEWAY_PASSWORD=g4teway \
                  bash deploy/k8s/postgres-service-roles.sh 2>&1 && echo "exit 0" || echo "exit $?"
                """;
            var refused = await WithLibAsync(dir, $"PORT={port}; NOTIFICATIONS=Change-Me; {run}");
            refused.ShouldContain("R2P_POSTGRES_NOTIFICATIONS_PASSWORD is a placeholder");
            refused.ShouldEndWith("exit 1");
            (await RefusalAsync($"Host=127.0.0.1;Port={port};Username=r2p_commitments;Password=c0mmitments;Database=r2p;Pooling=false")).ShouldNotBeNull("a role was made although a password was refused");

            (await WithLibAsync(dir, $"PORT={port}; NOTIFICATIONS=n0tifications; {run}")).ShouldEndWith("exit 0");
            (await RefusalAsync($"Host=127.0.0.1;Port={port};Username=r2p_notifications;Password=n0tifications;Database=r2p;Pooling=false",
                "create table notifications.probe (x int)")).ShouldBeNull();
            (await RefusalAsync($"Host=127.0.0.1;Port={port};Username=r2p_gateway;Password=g4teway;Database=r2p;Pooling=false",
                "select * from notifications.probe")).ShouldBe("42501");
        }
        finally { await StopAsync(dir); }
    }

    [Fact]
    public async Task The_containers_RabbitMQ_script_makes_a_user_per_service_deletes_guest_and_refuses_a_placeholder_password()
    {
        var dir = Directory.CreateTempSubdirectory("r2p-lp-mq-");
        var port = int.Parse(await WithLibAsync(dir, "port=$(free_port_block 3); rabbit_start \"$DIR/rabbit\" \"$port\" >/dev/null; echo \"$port\""));
        try
        {
            // The image's rabbitmqctl, here one that reaches this broker; the broker is already up, so the
            // script's own start is a stand-in that ends at once.
            var run = $"""
                mkdir -p "$DIR/bin"
                printf '#!/usr/bin/env bash\nsource "%s/deploy/local/lib.sh"; rabbit_env "%s" {port}; exec /usr/lib/rabbitmq/bin/rabbitmqctl "$@"\n' "$PWD" "$DIR/rabbit" > "$DIR/bin/rabbitmqctl"
                chmod +x "$DIR/bin/rabbitmqctl"
                PATH="$DIR/bin:$PATH" R2P_RABBITMQ_SERVER=true R2P_RABBITMQ_COMMITMENTS_PASSWORD=c0mmitments \
                  R2P_RABBITMQ_NOTIFICATIONS_PASSWORD="$NOTIFICATIONS" R2P_RABBITMQ_GATEWAY_PASSWORD=g4teway \
                  bash deploy/k8s/rabbitmq-service-users.sh 2>&1 && echo "exit 0" || echo "exit $?"
                """;
            var refused = await WithLibAsync(dir, $"NOTIFICATIONS=guest; {run}");
            refused.ShouldContain("R2P_RABBITMQ_NOTIFICATIONS_PASSWORD is a placeholder");
            refused.ShouldEndWith("exit 1");
            (await ConnectAsync($"amqp://guest:guest@127.0.0.1:{port}/")).ShouldBe("connected", "the broker's guest should be there before the script ran");

            (await WithLibAsync(dir, $"NOTIFICATIONS=n0tifications; {run}")).ShouldEndWith("exit 0");
            (await ConnectAsync($"amqp://guest:guest@127.0.0.1:{port}/")).ShouldBe("refused", "guest is still there");
            (await ConnectAsync($"amqp://r2p-notifications:n0tifications@127.0.0.1:{port}/")).ShouldBe("connected");
            (await ConnectAsync($"amqp://r2p-gateway:g4teway@127.0.0.1:{port}/")).ShouldBe("connected");
        }
        finally
        {
            await WithLibAsync(dir, $"rabbit_stop \"$DIR/rabbit\" {port}; rm -rf \"$DIR\"");
        }
    }

    private static async Task<string> ConnectAsync(string uri)
    {
        try
        {
            await using var connection = await new ConnectionFactory { Uri = new Uri(uri) }.CreateConnectionAsync();
            // (The client reports a connection before the broker has refused its virtual host: a channel tells.)
            await using var channel = await connection.CreateChannelAsync();
            return "connected";
        }
        catch (BrokerUnreachableException) { return "refused"; }
        catch (OperationInterruptedException) { return "refused"; }
    }

    [Fact]
    public void Up_sh_runs_each_service_as_its_own_role_and_broker_user_and_deletes_guest()
    {
        var script = File.ReadAllText(DeployFiles.PathOf("deploy/local/up.sh"));
        script.ShouldContain("pg_service_roles \"$pgdata\" \"$PG_PORT\" r2p r2p \"$state\"");
        script.ShouldContain("rabbit_service_users \"$state/rabbitmq\" \"$RABBIT_PORT\" / r2p \"$state\" --delete-guest");
        foreach (var service in Services)
        {
            script.ShouldContain($"ConnectionStrings__Postgres='$(postgres_of {service})'");
            script.ShouldContain($"ConnectionStrings__RabbitMq='$(rabbit_of {service})'");
        }
        script.ShouldNotContain("Username=postgres");
        script.ShouldNotContain("guest:guest");
    }

    [Fact]
    public void Up_sh_gives_the_internal_key_to_the_gateway_and_commitments_alone_and_not_to_the_seed()
    {
        DeployFiles.LocalSettings()["InternalAuth__SigningKey"].Order().ShouldBe(["commitments", "gateway"]);
        var script = File.ReadAllText(DeployFiles.PathOf("deploy/local/up.sh"));
        script.ShouldContain("env -u InternalAuth__SigningKey dotnet exec \"$(dll commitments Commitments)\" seed");
    }
}
