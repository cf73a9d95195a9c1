using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace R2PTracker.Gateway.Staff;

public sealed record StaffMember(Guid Id, string Name, string Role);

public sealed record StaffAccount(Guid Id, string Name, string Role, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

/// <summary>
/// Staff accounts in PostgreSQL schema "gateway". A token is 32 random bytes shown once; only
/// its SHA-256 is stored (a fast hash suffices for a high-entropy secret).
/// </summary>
public sealed class StaffStore(NpgsqlDataSource db, TimeProvider clock)
{
    public static readonly string[] Roles = ["editor", "admin"];
    public const string TokenPrefix = "r2p_";

    public Task EnsureSchemaAsync(CancellationToken ct = default) => GatewaySchema.EnsureAsync(db, ct);

    public async Task<string> AddAsync(string name, string role, CancellationToken ct = default)
    {
        if (!Roles.Contains(role)) throw new ArgumentException($"Role must be one of: {string.Join(", ", Roles)}.", nameof(role));
        if (string.IsNullOrWhiteSpace(name) || name.Length > 100) throw new ArgumentException("A name of 1 to 100 characters is required.", nameof(name));
        var token = TokenPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        await using var cmd = db.CreateCommand(
            "INSERT INTO gateway.staff_tokens (id, name, role, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)");
        cmd.Parameters.AddWithValue(Guid.NewGuid());
        cmd.Parameters.AddWithValue(name);
        cmd.Parameters.AddWithValue(role);
        cmd.Parameters.AddWithValue(Hash(token));
        cmd.Parameters.AddWithValue(clock.GetUtcNow());
        await cmd.ExecuteNonQueryAsync(ct);
        return token;
    }

    public async Task<StaffMember?> FindByTokenAsync(string token, CancellationToken ct = default)
    {
        if (!token.StartsWith(TokenPrefix, StringComparison.Ordinal) || token.Length > 200) return null;
        await using var cmd = db.CreateCommand("""
            UPDATE gateway.staff_tokens SET last_used_at = $2
            WHERE token_hash = $1 AND revoked_at IS NULL
            RETURNING id, name, role
            """);
        cmd.Parameters.AddWithValue(Hash(token));
        cmd.Parameters.AddWithValue(clock.GetUtcNow());
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new StaffMember(reader.GetGuid(0), reader.GetString(1), reader.GetString(2)) : null;
    }

    public async Task<StaffMember?> FindActiveByIdAsync(Guid id, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            "SELECT id, name, role FROM gateway.staff_tokens WHERE id = $1 AND revoked_at IS NULL");
        cmd.Parameters.AddWithValue(id);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new StaffMember(reader.GetGuid(0), reader.GetString(1), reader.GetString(2)) : null;
    }

    public async Task<IReadOnlyList<StaffAccount>> ListAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            "SELECT id, name, role, created_at, last_used_at, revoked_at FROM gateway.staff_tokens ORDER BY created_at");
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var accounts = new List<StaffAccount>();
        while (await reader.ReadAsync(ct))
        {
            accounts.Add(new StaffAccount(reader.GetGuid(0), reader.GetString(1), reader.GetString(2),
                reader.GetFieldValue<DateTimeOffset>(3),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
                reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5)));
        }
        return accounts;
    }

    public async Task<(Guid Id, string Token)> AddWithIdAsync(string name, string role, CancellationToken ct = default)
    {
        var token = await AddAsync(name, role, ct);
        var staff = await FindByTokenAsync(token, ct);
        return (staff!.Id, token);
    }

    public async Task<bool> RevokeByIdAsync(Guid id, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            "UPDATE gateway.staff_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL");
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue(clock.GetUtcNow());
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    public async Task<int> RevokeAsync(string name, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            "UPDATE gateway.staff_tokens SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL");
        cmd.Parameters.AddWithValue(name);
        cmd.Parameters.AddWithValue(clock.GetUtcNow());
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
