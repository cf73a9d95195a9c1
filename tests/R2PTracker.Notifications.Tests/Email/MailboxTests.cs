using R2PTracker.Notifications.Email;
using Shouldly;

namespace R2PTracker.Notifications.Tests;

public class MailboxTests
{
    [Theory]
    [InlineData("v@x.org", "v@x.org")]
    [InlineData("V@X.ORG", "v@x.org")]
    [InlineData("v+1@x.org", "v@x.org")]
    [InlineData("v+news+more@x.org", "v@x.org")]
    [InlineData("\"v\"@x.org", "v@x.org")]
    [InlineData("\"v+1\"@x.org", "v@x.org")]
    [InlineData("\"v\\\"w\"@x.org", "v\"w@x.org")]
    [InlineData("v@x.org.", "v@x.org")]
    [InlineData("v@X.Org..", "v@x.org")]
    [InlineData("v@bücher.example", "v@xn--bcher-kva.example")]
    [InlineData("First.Last@gmail.com", "firstlast@gmail.com")]
    [InlineData("f.i.r.s.t.last+x@googlemail.com", "firstlast@gmail.com")]
    [InlineData("first.last@x.org", "first.last@x.org")]
    public void Addresses_that_reach_one_inbox_have_one_key(string address, string key) =>
        Mailbox.CanonicalKey(address).ShouldBe(key);

    [Fact]
    public void The_stored_key_is_a_hash_of_the_canonical_form()
    {
        Mailbox.HashedKey("V+1@X.org.").ShouldBe(Mailbox.HashedKey("v@x.org"));
        Mailbox.HashedKey("v@x.org").ShouldNotContain("x.org");
        Mailbox.HashedKey("w@x.org").ShouldNotBe(Mailbox.HashedKey("v@x.org"));
    }
}

public class ConfirmationLedgerTests
{
    private static readonly EmailOptions Options = new() { ConfirmationInterval = TimeSpan.FromMinutes(1), MaxConfirmationsPerDay = 3 };
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    private static ConfirmationLedger With(params double[] hoursAgo) =>
        new() { Id = "k", SentAt = hoursAgo.Select(h => Now.AddHours(-h)).ToList() };

    [Fact]
    public void A_mailbox_with_no_recent_mail_may_get_one() => With().Refusal(Now, Options).ShouldBeNull();

    [Fact]
    public void A_second_mail_within_the_interval_is_refused_until_the_interval_ends()
    {
        var refusal = With(0.5 / 60).Refusal(Now, Options).ShouldNotBeNull();
        refusal.NotBefore.ShouldBe(Now.AddSeconds(30));
    }

    [Fact]
    public void The_daily_cap_counts_the_last_24_hours_and_says_when_the_oldest_leaves_them()
    {
        var refusal = With(1, 5, 23).Refusal(Now, Options).ShouldNotBeNull();
        refusal.Reason.ShouldContain("24 hours");
        refusal.NotBefore.ShouldBe(Now.AddHours(1));
        With(1, 5, 25).Refusal(Now, Options).ShouldBeNull();
    }

    [Fact]
    public void Recording_a_mail_forgets_those_older_than_a_day()
    {
        var ledger = With(2, 30).Sent(Now);
        ledger.SentAt.ShouldBe([Now.AddHours(-2), Now]);
        ledger.LastSentAt.ShouldBe(Now);
    }
}
