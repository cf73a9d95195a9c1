using Microsoft.IdentityModel.JsonWebTokens;
using R2PTracker.ServiceDefaults;
using Shouldly;

namespace R2PTracker.Gateway.Tests;

/// <summary>The internal JWT: one audience per backend, and an id of its own on every token.</summary>
public class InternalAuthTests
{
    private static readonly Microsoft.IdentityModel.Tokens.SymmetricSecurityKey Key =
        InternalAuth.KeyFrom("a-signing-key-of-at-least-32-characters!");

    private static async Task<bool> AcceptedByAsync(string token, string audience) =>
        (await new JsonWebTokenHandler().ValidateTokenAsync(token, InternalAuth.ValidationParameters(Key, audience))).IsValid;

    [Fact]
    public async Task A_token_minted_for_commitments_is_refused_by_notifications_and_the_other_way_round()
    {
        var now = DateTimeOffset.UtcNow;
        var forCommitments = InternalAuth.IssueToken(Key, "Sokha", "editor", now, InternalAuth.Audiences.Commitments);
        var forNotifications = InternalAuth.IssueToken(Key, "Sokha", "editor", now, InternalAuth.Audiences.Notifications);

        (await AcceptedByAsync(forCommitments, InternalAuth.Audiences.Commitments)).ShouldBeTrue();
        (await AcceptedByAsync(forCommitments, InternalAuth.Audiences.Notifications)).ShouldBeFalse();
        (await AcceptedByAsync(forNotifications, InternalAuth.Audiences.Notifications)).ShouldBeTrue();
        (await AcceptedByAsync(forNotifications, InternalAuth.Audiences.Commitments)).ShouldBeFalse();
    }

    [Fact]
    public void Every_token_carries_an_id_of_its_own()
    {
        var now = DateTimeOffset.UtcNow;
        var ids = Enumerable.Range(0, 3)
            .Select(_ => new JsonWebToken(InternalAuth.IssueToken(Key, "Sokha", "editor", now)).Id)
            .ToList();
        ids.ShouldAllBe(id => !string.IsNullOrEmpty(id));
        ids.Distinct().Count().ShouldBe(3);
    }

    [Fact]
    public async Task An_expired_token_is_refused() =>
        (await AcceptedByAsync(InternalAuth.IssueToken(Key, "Sokha", "editor", DateTimeOffset.UtcNow.AddMinutes(-5)),
            InternalAuth.Audiences.Commitments)).ShouldBeFalse();
}
