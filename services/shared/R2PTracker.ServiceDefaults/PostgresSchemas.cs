namespace R2PTracker.ServiceDefaults;

/// <summary>SQL for a service's own schema.</summary>
public static class PostgresSchemas
{
    /// <summary>
    /// Creates the schema unless it exists. PostgreSQL checks the right to create schemas in the
    /// database before it looks at <c>if not exists</c>, so a bare <c>create schema if not exists</c>
    /// fails for a service role that owns its schema but may create no other (deploy/k8s/service-roles.sql);
    /// this looks first. (A plain name: <paramref name="schema"/> is one of the services' constants.)
    /// </summary>
    public static string CreateIfMissing(string schema) =>
        $"do $$ begin if not exists (select from pg_namespace where nspname = '{schema}') then create schema if not exists {schema}; end if; end $$";
}
