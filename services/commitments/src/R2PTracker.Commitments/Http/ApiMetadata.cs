using Microsoft.OpenApi;
using R2PTracker.Commitments.Pledges;

namespace R2PTracker.Commitments.Http;

/// <summary>
/// What each endpoint answers, for the API description (OpenAPI). The handlers return <see cref="IResult"/>
/// (and the reads stream stored JSON as it is), so the success type, the problem responses and the query
/// parameters they read by hand are declared beside each mapping with these.
/// </summary>
public static class ApiMetadata
{
    /// <summary>The problems of a write to an existing pledge (<see cref="PledgeWrites"/>) and its staff authorisation.</summary>
    private static readonly int[] WriteProblems =
    [
        StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound,
        StatusCodes.Status412PreconditionFailed, StatusCodes.Status428PreconditionRequired,
    ];

    private static readonly Dictionary<string, string> QueryDescriptions = new(StringComparer.Ordinal)
    {
        ["status"] = $"Only pledges with this status (one of {string.Join(", ", Enum.GetNames<PledgeStatus>())}); may be given more than once.",
        ["theme"] = "Only pledges with this theme.",
        ["actor"] = "Only pledges made by this actor.",
        ["country"] = "Only pledges of this country (ISO 3166-1 alpha-2, e.g. KH).",
        ["overdue"] = "true or false: only pledges that are (or are not) overdue.",
        ["q"] = "Words that the title or quote contains.",
        ["asOf"] = "The state as of this day (YYYY, YYYY-MM or YYYY-MM-DD) instead of today.",
        ["axis"] = "Which time 'asOf' reads: 'occurred' (when things happened, the default) or 'recorded' (when they were logged).",
        ["sort"] = "id (the default), title, statusSince or targetDate.",
        ["limit"] = "Items a page, 1 to 500 (100 by default).",
        ["cursor"] = "Where the next page starts: take it from the Link header of the previous page.",
        ["lang"] = "A language code (en, km): texts translated into it where a translation exists.",
        ["from"] = "The first day of the series (YYYY, YYYY-MM or YYYY-MM-DD); required.",
        ["to"] = "The last day of the series (YYYY, YYYY-MM or YYYY-MM-DD); required.",
        ["interval"] = "month (the default), quarter or year.",
        ["index"] = "The leaf's index in the log.",
        ["treeSize"] = "The size of the signed tree the proof is for.",
        ["start"] = "The first entry's index.",
        ["end"] = "One past the last entry's index (at most 1000 entries a request).",
        ["verifiability"] = $"Only pledges screened as this (one of {string.Join(", ", Enum.GetNames<Verifiability>())}, or NotScreened); may be given more than once.",
        ["reason"] = $"Only pledges whose current verdict has this coded reason (one of {string.Join(", ", Enum.GetNames<StatusReasonCode>())}); may be given more than once.",
    };

    /// <summary>A read that answers <typeparamref name="T"/>, or one of <paramref name="problems"/> as problem details (400 as validation problems).</summary>
    public static RouteHandlerBuilder Reads<T>(this RouteHandlerBuilder builder, string tag, string summary, params int[] problems) =>
        builder.WithTags(tag).WithSummary(summary).Produces<T>().Problems(problems);

    /// <summary>A staff write to an existing pledge: the pledge as it is after the write (its version in ETag), or a problem.</summary>
    public static RouteHandlerBuilder PledgeWrite(this RouteHandlerBuilder builder, string summary) =>
        builder.WithTags("Pledges").WithSummary(summary).Produces<Pledge>().Problems([StatusCodes.Status400BadRequest, .. WriteProblems])
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.Parameters ??= [];
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = "If-Match",
                    In = ParameterLocation.Header,
                    Required = true,
                    Description = "The pledge's current ETag (its stream version, e.g. \"3\"); a stale one is refused with 412.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                });
                return Task.CompletedTask;
            });

    public static RouteHandlerBuilder Problems(this RouteHandlerBuilder builder, params int[] problems)
    {
        foreach (var status in problems)
            builder = status == StatusCodes.Status400BadRequest ? builder.ProducesValidationProblem() : builder.ProducesProblem(status);
        return builder;
    }

    /// <summary>The query parameters a handler reads itself (it refuses any other with 400).</summary>
    public static RouteHandlerBuilder WithQuery(this RouteHandlerBuilder builder, IEnumerable<string> names)
    {
        var list = names.ToList();
        return builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            foreach (var name in list)
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = name,
                    In = ParameterLocation.Query,
                    Description = QueryDescriptions.GetValueOrDefault(name),
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                });
            return Task.CompletedTask;
        });
    }
}
