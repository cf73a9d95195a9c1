using R2PTracker.Commitments.Recording;
using Shouldly;

namespace R2PTracker.Commitments.Tests.Domain;

/// <summary>
/// The chain hash's canonical form pinned by a reference vector, computed apart from this code (Python's
/// json.dumps with sorted keys, no spaces, no ASCII escaping; hashlib.sha256): dropping or renaming any
/// member (type, eventId, streamId …), reordering keys, or another time format changes it.
/// </summary>
public class ChainHashVectorTests
{
    private const string Data =
        """{"to":"Kept","from":"InTheWorks","reason":"Focal point appointed — é","evidence":[{"title":"Decision 2016","url":null}],"pledgeId":"kh-r2p-1"}""";

    private const string ExpectedCanonical =
        """{"data":{"evidence":[{"title":"Decision 2016","url":null}],"from":"InTheWorks","pledgeId":"kh-r2p-1","reason":"Focal point appointed — é","to":"Kept"},"eventId":"0190e8f2-6f1b-7cc3-9a3e-1f2d3c4b5a69","recordedAt":"2026-11-27T12:00:00.123456Z","streamId":"kh-r2p-1","type":"status_assessed","version":2}""";

    [Fact]
    public void The_canonical_form_and_hash_of_a_fixed_event_are_the_reference_values()
    {
        // 7 ticks below a microsecond: cut, not rounded.
        var recordedAt = new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero).AddTicks(1_234_567);
        var canonical = EventHashing.Canonical("kh-r2p-1", 2, Guid.Parse("0190e8f2-6f1b-7cc3-9a3e-1f2d3c4b5a69"), "status_assessed", recordedAt, Data);
        canonical.ShouldBe(ExpectedCanonical);
        EventHashing.Hash(string.Concat(Enumerable.Repeat("ab", 32)), canonical)
            .ShouldBe("11104f93cbc370b9ff5903af15f729a8d3aad384623733a94e533af5fda16d25");
    }
}
