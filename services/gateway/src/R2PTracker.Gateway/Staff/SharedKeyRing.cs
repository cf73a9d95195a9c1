using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Options;
using Npgsql;

namespace R2PTracker.Gateway.Staff;

/// <summary>
/// The key ring that protects the staff cookie and the anti-forgery tokens, kept in PostgreSQL
/// (schema "gateway") rather than in each machine's home folder, so that every gateway instance
/// reads the cookies the others issue. The keys are stored as ASP.NET writes them, unencrypted:
/// whoever can read the gateway schema could forge a staff cookie, as whoever can read its staff
/// table could not (it holds only token hashes). Guard the database accordingly.
/// </summary>
public sealed class SharedKeyRing(NpgsqlDataSource db) : IXmlRepository
{
    /// <summary>The same name on every instance, not the default (the content root), which differs by install.</summary>
    public const string ApplicationName = "r2p-tracker-gateway";

    private volatile bool _tableReady;

    public static void AddSharedKeyRing(IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
            new ConfigureOptions<KeyManagementOptions>(o => o.XmlRepository = new SharedKeyRing(sp.GetRequiredService<NpgsqlDataSource>())));
    }

    // ASP.NET's key manager calls these synchronously, rarely (at start, on key roll-over, about once a day).
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        EnsureTable();
        using var cmd = db.CreateCommand("SELECT xml FROM gateway.data_protection_keys ORDER BY created_at");
        using var reader = cmd.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read()) elements.Add(XElement.Parse(reader.GetString(0)));
        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        EnsureTable();
        using var cmd = db.CreateCommand(
            "INSERT INTO gateway.data_protection_keys (friendly_name, xml) VALUES ($1, $2) ON CONFLICT (friendly_name) DO NOTHING");
        cmd.Parameters.AddWithValue(friendlyName);
        cmd.Parameters.AddWithValue(element.ToString(SaveOptions.DisableFormatting));
        cmd.ExecuteNonQuery();
    }

    /// <summary>
    /// Data protection loads the key ring at start, possibly before the hosted service that sets up
    /// the gateway schema has run; so the first use here sets it up too (it is idempotent).
    /// </summary>
    private void EnsureTable()
    {
        if (_tableReady) return;
        GatewaySchema.EnsureAsync(db).GetAwaiter().GetResult();
        _tableReady = true;
    }
}
