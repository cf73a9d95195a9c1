namespace R2PTracker.Gateway.Staff;

/// <summary>
/// "staff add NAME [--role editor|admin]" prints a new token once (role defaults to editor);
/// "staff revoke NAME" revokes every token of that name. Both are audit-logged as done by
/// "cli:&lt;the operating-system user&gt;".
/// </summary>
public static class StaffCommand
{
    private const string Usage = "usage: staff add NAME [--role editor|admin] | staff revoke NAME";

    public static async Task<int> RunAsync(string[] args, IServiceProvider services)
    {
        var store = services.GetRequiredService<StaffStore>();
        await store.EnsureSchemaAsync();
        if (args is ["staff", "revoke", var revoked])
        {
            Console.WriteLine($"revoked {await store.RevokeAsync(revoked, StaffStore.CommandLineActor)} token(s) of {revoked}");
            return 0;
        }
        if (args is not ["staff", "add", var name, ..] || args.Length is not (3 or 5) || (args.Length == 5 && args[3] != "--role"))
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }
        var role = args.Length == 5 ? args[4] : "editor";
        try
        {
            Console.WriteLine(await store.AddAsync(name, role, StaffStore.CommandLineActor));
            return 0;
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 2;
        }
    }
}
