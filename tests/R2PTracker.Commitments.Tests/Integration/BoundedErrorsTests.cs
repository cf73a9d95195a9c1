using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using R2PTracker.Commitments.Http;
using Shouldly;
using static R2PTracker.Commitments.Tests.Integration.PledgeApi;

namespace R2PTracker.Commitments.Tests.Integration;

/// <summary>A body full of bad fields gets a short 400: the first errors, and how many there were.</summary>
public class BoundedErrorsTests(CommitmentsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Fifty evidence items (the most a list may hold), each with three bad fields: 150 errors.</summary>
    private static object[] BadEvidence() =>
        Enumerable.Range(0, 50).Select(_ => (object)new { title = "", url = "not a link", publishedOn = "someday" }).ToArray();

    private static int Messages(JsonElement errors) => errors.EnumerateObject().Sum(field => field.Value.GetArrayLength());

    [Fact]
    public async Task A_status_change_with_150_bad_fields_lists_20_errors_and_counts_all_150()
    {
        var id = await RegisterAsync(app.Staff());
        var response = await app.Staff().SendAsync(Post($"/api/pledges/{id}/status",
            new { status = "Stalled", reason = "No news", evidence = BadEvidence() }, "\"1\""), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Messages(problem.GetProperty("errors")).ShouldBe(Validation.MaxListed);
        problem.GetProperty("errorCount").GetInt32().ShouldBe(150);
        problem.GetProperty("errorsNotListed").GetInt32().ShouldBe(130);
        problem.GetProperty("detail").GetString().ShouldBe("150 errors; the first 20 are listed, 130 more are not.");
    }

    [Fact]
    public async Task A_request_with_few_errors_lists_them_all_and_counts_them()
    {
        var id = await RegisterAsync(app.Staff());
        var response = await app.Staff().SendAsync(Post($"/api/pledges/{id}/status",
            new { status = "Sleeping", reason = "", evidence = new[] { new { title = "Report" } } }, "\"1\""), Ct);

        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order().ShouldBe(["reason", "status"]);
        problem.GetProperty("errorCount").GetInt32().ShouldBe(2);
        problem.TryGetProperty("errorsNotListed", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task An_import_line_with_150_bad_fields_counts_every_one_of_them()
    {
        var line = JsonSerializer.Serialize(new
        {
            pledgeId = NewId(),
            type = "StatusAssessed",
            occurredOn = "2020",
            recordedBy = "An archive",
            status = "Stalled",
            reason = "No news",
            evidence = BadEvidence(),
        }, new JsonSerializerOptions(JsonSerializerDefaults.Web));
        var response = await app.Staff("Arun Admin", "admin").PostAsync("/api/import",
            new StringContent(line + "\n", Encoding.UTF8, "application/x-ndjson"), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var listed = problem.GetProperty("errors").GetArrayLength();
        listed.ShouldBe(Validation.MaxListed);
        (listed + problem.GetProperty("moreErrors").GetInt64()).ShouldBe(150);
    }

    [Fact]
    public void Validation_keeps_the_first_errors_and_counts_the_rest()
    {
        var v = new Validation();
        for (var i = 0; i < 1000; i++) v.Add($"items[{i}]", "Bad.");
        v.IsValid.ShouldBeFalse();
        v.Count.ShouldBe(1000);
        v.NotListed.ShouldBe(1000 - Validation.MaxListed);
        v.Errors.Keys.ShouldBe(Enumerable.Range(0, Validation.MaxListed).Select(i => $"items[{i}]"));
    }
}
