using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using R2PTracker.Commitments.Pledges;
using R2PTracker.Commitments.Recording;
using Shouldly;
using static R2PTracker.Commitments.Tests.Integration.PledgeApi;

namespace R2PTracker.Commitments.Tests.Integration;

/// <summary>The remembered stream heads spare a read per append and never fork the chain.</summary>
public class StreamHeadsTests(CommitmentsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static object Milestone(string title) => new { title, occurredOn = "2019-12", evidence = new[] { new { title = "Report" } } };

    private async Task<JsonElement> VerifyAsync(string id) =>
        await app.Anonymous().GetFromJsonAsync<JsonElement>($"/api/pledges/{id}/verify", Ct);

    [Fact]
    public async Task After_a_write_the_head_remembered_is_the_one_stored()
    {
        var staff = app.Staff();
        var id = await RegisterAsync(staff);
        (await staff.SendAsync(Post($"/api/pledges/{id}/milestones", Milestone("First"), "\"1\""), Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await staff.SendAsync(Post($"/api/pledges/{id}/milestones", Milestone("Second"), "\"2\""), Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var verified = await VerifyAsync(id);
        verified.GetProperty("valid").GetBoolean().ShouldBeTrue();
        var heads = StreamHeads.Of(app.Store).ShouldNotBeNull();
        heads.HashAt(id, 3).ShouldBe(verified.GetProperty("headHash").GetString());
        heads.HashAt(id, 2).ShouldBeNull(); // only the head is remembered
    }

    [Fact]
    public async Task An_append_by_another_instance_meanwhile_makes_the_next_write_read_the_stored_head()
    {
        var staff = app.Staff();
        var id = await RegisterAsync(staff);
        (await staff.SendAsync(Post($"/api/pledges/{id}/milestones", Milestone("Here"), "\"1\""), Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        // Another commitments instance (a store of its own on the same database) appends version 3.
        await using (var other = DocumentStore.For(o => { o.Connection(app.ConnectionString); o.ConfigurePledges(); }))
        await using (var session = other.LightweightSession())
        {
            var stream = await session.Events.FetchForWriting<Pledge>(id, Ct);
            var logged = new MilestoneLogged(id, "m-elsewhere", "Elsewhere", "", "2019-12", [new Evidence("Report", null, null)], "Bob Editor");
            stream.AppendMany((await EventChain.StampAsync(session, id, stream.CurrentVersion ?? 0, [logged], TimeProvider.System, Ct)).ToArray<object>());
            await session.SaveChangesAsync(Ct);
        }

        // This instance remembers version 2 only; a write expecting 3 must chain onto the stored head.
        StreamHeads.Of(app.Store).ShouldNotBeNull().HashAt(id, 3).ShouldBeNull();
        (await staff.SendAsync(Post($"/api/pledges/{id}/milestones", Milestone("Here again"), "\"3\""), Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var verified = await VerifyAsync(id);
        verified.GetProperty("valid").GetBoolean().ShouldBeTrue();
        verified.GetProperty("events").GetInt32().ShouldBe(4);
    }
}
