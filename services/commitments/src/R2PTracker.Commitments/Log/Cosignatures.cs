using Npgsql;
using R2PTracker.Commitments.Http;
using R2PTracker.TransparencyLog;

namespace R2PTracker.Commitments.Log;

/// <summary>
/// Witnesses post a checkpoint they checked with their cosignature (C2SP tlog-cosignature). Only a
/// checkpoint this log signed, and only a valid cosignature by a configured witness key, is kept; the
/// signature is the credential, so the endpoint needs no other.
/// </summary>
public static class Cosignatures
{
    public static async Task<IResult> AcceptAsync(NpgsqlDataSource db, LogKeys keys, TimeProvider clock, string body, CancellationToken ct)
    {
        SignedNote note;
        Checkpoint checkpoint;
        try
        {
            note = SignedNote.Parse(body);
            checkpoint = Checkpoint.Parse(note.Text);
        }
        catch (FormatException e)
        {
            return Problems.Validation("body", $"The body must be a checkpoint in the C2SP signed-note form with a witness's cosignature: {e.Message}");
        }
        if (checkpoint.Origin != keys.Options.Origin)
            return Problems.Validation("body", $"The checkpoint's origin must be '{keys.Options.Origin}'.");

        await using var connection = await db.OpenConnectionAsync(ct);
        var stored = await LogStore.CheckpointAsync(connection, checkpoint.TreeSize, ct);
        if (stored is null || !stored.Root.AsSpan().SequenceEqual(checkpoint.RootHash))
            return Problems.Conflict($"This log signed no checkpoint of tree size {checkpoint.TreeSize} with that root hash.");

        var accepted = new List<string>();
        foreach (var witness in keys.Witnesses)
        {
            if (note.CosignedAt(witness) is not { } at) continue;
            var line = note.Signatures.First(s => s.Name == witness.Name && s.KeyHash == witness.KeyHash).Line;
            await using var cmd = new NpgsqlCommand(
                $"insert into {LogSchema.Cosignatures} (tree_size, witness_key, witness_name, cosigned_at, line, received_at) "
                + "values ($1, $2, $3, $4, $5, $6) on conflict (tree_size, witness_key) do update "
                + "set cosigned_at = excluded.cosigned_at, line = excluded.line, received_at = excluded.received_at", connection);
            cmd.Parameters.Add(new NpgsqlParameter { Value = checkpoint.TreeSize });
            cmd.Parameters.Add(new NpgsqlParameter { Value = witness.VerifierKey });
            cmd.Parameters.Add(new NpgsqlParameter { Value = witness.Name });
            cmd.Parameters.Add(new NpgsqlParameter { Value = at });
            cmd.Parameters.Add(new NpgsqlParameter { Value = EnsureNewline(line) });
            cmd.Parameters.Add(new NpgsqlParameter { Value = clock.GetUtcNow() });
            await cmd.ExecuteNonQueryAsync(ct);
            accepted.Add(witness.Name);
        }
        if (accepted.Count == 0)
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "No valid cosignature from a witness of this log.",
                detail: "The note carries no valid tlog-cosignature by a key in Log:WitnessKeys.");
        return Results.Ok(new CosignaturesAccepted(checkpoint.TreeSize, accepted));
    }

    private static string EnsureNewline(string line) => line.EndsWith('\n') ? line : line + "\n";
}
