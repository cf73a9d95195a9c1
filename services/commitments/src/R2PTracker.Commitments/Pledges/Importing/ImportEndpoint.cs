using R2PTracker.Commitments.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Commitments.Pledges.Importing;

public static class ImportEndpoint
{
    public const string Path = "/api/import";
    public const string MediaType = "application/x-ndjson";

    /// <summary>Read by <see cref="Configuration.UseBodySizeLimit"/> and Kestrel's routing: this endpoint's own body limit.</summary>
    private sealed record BodyLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;

    public static IServiceCollection AddPledgeImport(this IServiceCollection services)
    {
        services.AddValidatedOptions<ImportOptions>(ImportOptions.Section);
        services.AddSingleton<PledgeImport>();
        return services;
    }

    public static void MapImport(this IEndpointRouteBuilder app)
    {
        var maxBody = app.ServiceProvider.GetRequiredService<IOptions<ImportOptions>>().Value.MaxBodyBytes;
        app.MapPost(Path, async (HttpContext http, PledgeImport import, CancellationToken ct) =>
            {
                // A body with a Content-Length over the limit never gets here (UseBodySizeLimit reads BodyLimit);
                // a chunked one is counted as it is copied.
                if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = maxBody;

                // Buffered to disk: the import reads the file twice (check, then write) and never holds it in memory.
                var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"r2p-import-{Guid.NewGuid():N}.ndjson");
                try
                {
                    await using (var buffer = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
                    {
                        try
                        {
                            if (!await CopyAtMostAsync(http.Request.Body, buffer, maxBody, ct)) return TooLarge(maxBody);
                        }
                        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
                        {
                            return TooLarge(maxBody);
                        }
                    }
                    var outcome = await import.RunAsync(
                        () => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan),
                        http.User.StaffName(), null, ct);
                    return ToResult(outcome);
                }
                finally
                {
                    File.Delete(path);
                }
            })
            .RequireAuthorization(InternalAuth.AdminPolicy)
            .WithTags("Import").WithSummary("Import pledges and their events from NDJSON (admins only); answers when done.")
            .WithMetadata(new BodyLimit(maxBody))
            // Routing answers any other content type with 415 (a problem, by the status code pages).
            .Accepts<string>(MediaType)
            .Produces<ImportResult>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
    }

    public static IResult ToResult(ImportOutcome outcome)
    {
        if (outcome is { Result: { } done, Conflict: null }) return Results.Ok(done);
        var extensions = new Dictionary<string, object?>
        {
            ["errors"] = outcome.Errors,
            ["moreErrors"] = outcome.MoreErrors,
        };
        if (outcome.Conflict is not null)
        {
            extensions["written"] = outcome.Result;
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "The import was interrupted.",
                detail: outcome.Conflict, extensions: extensions);
        }
        var total = outcome.Errors.Count + outcome.MoreErrors;
        return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The import file is not valid.",
            detail: outcome.MoreErrors == 0
                ? $"{total} line error(s); nothing was imported."
                : $"{total} line errors; the first {outcome.Errors.Count} are listed, {outcome.MoreErrors} more are not. Nothing was imported.",
            extensions: extensions);
    }

    private static IResult TooLarge(long maxBody) =>
        Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The request body is too large.",
            detail: $"An import file may be at most {maxBody} bytes (Import:MaxBodyBytes).");

    /// <summary>Copies the body, refusing it once it passes the limit (a test host does not enforce Kestrel's).</summary>
    private static async Task<bool> CopyAtMostAsync(Stream from, Stream to, long max, CancellationToken ct)
    {
        var buffer = new byte[1 << 16];
        long total = 0;
        int read;
        while ((read = await from.ReadAsync(buffer, ct)) > 0)
        {
            total += read;
            if (total > max) return false;
            await to.WriteAsync(buffer.AsMemory(0, read), ct);
        }
        return true;
    }
}
