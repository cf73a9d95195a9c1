using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;
using static R2PTracker.Commitments.Tests.Integration.PledgeApi;

namespace R2PTracker.Commitments.Tests.Integration;

/// <summary>Translated pledge texts: recorded as events beside the verbatim originals, read in a language on request.</summary>
public class TranslationTests(CommitmentsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string KhmerTitle = "ការទទួលខុសត្រូវក្នុងការការពារ";
    private const string BetterKhmerTitle = "តែងតាំងមជ្ឈមណ្ឌលទំនាក់ទំនងជាតិ";
    private const string KhmerDescription = "និស្សិតបានចូលរួមវគ្គបណ្តុះបណ្តាល";
    private const string OriginalTitle = "Appoint a national focal point";

    private static object Translation(string target = "title", string text = KhmerTitle, string language = "km",
        string translator = "Sok Dara", string kind = "unofficial") =>
        new { target, language, text, translator, kind, source = new { title = "CICP training materials", publisher = "CICP" } };

    private async Task<JsonElement> Json(HttpResponseMessage response)
    {
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private async Task<JsonElement> Get(string url, string? acceptLanguage = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (acceptLanguage is not null) request.Headers.TryAddWithoutValidation("Accept-Language", acceptLanguage);
        return await Json(await app.Anonymous().SendAsync(request, Ct));
    }

    private async Task<HttpResponseMessage> TranslateAsync(string id, object body, string? ifMatch) =>
        await app.Staff("Chan Sophea").SendAsync(Post($"/api/pledges/{id}/translations", body, ifMatch), Ct);

    /// <summary>A pledge with a theme of its own, so that a list filtered by it holds this pledge alone.</summary>
    private async Task<(string Id, string Theme)> RegisterThemedAsync()
    {
        var id = NewId();
        var theme = "theme-" + Guid.NewGuid().ToString("N")[..8];
        (await app.Staff().PostAsJsonAsync("/api/pledges", new
        {
            id,
            title = OriginalTitle,
            quote = "The royal government could appoint a national focal point",
            actor = "Royal Government of Cambodia",
            country = "KH",
            madeOn = "2015-02",
            theme,
            source = new { title = "Cambodia can lead on R2P", publisher = "Phnom Penh Post" },
        }, Ct)).EnsureSuccessStatusCode();
        return (id, theme);
    }

    private async Task<string> WithMilestoneAsync(string id)
    {
        var logged = await Json(await app.Staff().SendAsync(Post($"/api/pledges/{id}/milestones",
            new { title = "Outreach", description = "Students trained", occurredOn = "2019-12", evidence = new[] { new { title = "CICP report" } } }, "\"1\""), Ct));
        return logged.GetProperty("milestones")[0].GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task A_translation_is_recorded_with_its_translator_and_staff_member_beside_the_unchanged_original()
    {
        var id = await RegisterAsync(app.Staff());
        var response = await TranslateAsync(id, Translation(), "\"1\"");
        response.Headers.ETag!.Tag.ShouldBe("\"2\"");
        (await Json(response)).GetProperty("translations").GetProperty("km").GetProperty("title").GetProperty("text").GetString().ShouldBe(KhmerTitle);

        var record = await Get($"/api/pledges/{id}");
        record.GetProperty("title").GetString().ShouldBe(OriginalTitle);
        record.TryGetProperty("titleLanguage", out _).ShouldBeFalse("without a language the record is the original alone");
        var title = record.GetProperty("translations").GetProperty("km").GetProperty("title");
        title.GetProperty("text").GetString().ShouldBe(KhmerTitle);
        title.GetProperty("translator").GetString().ShouldBe("Sok Dara");
        title.GetProperty("kind").GetString().ShouldBe("unofficial");
        title.GetProperty("recordedBy").GetString().ShouldBe("Chan Sophea");
        title.GetProperty("source").GetProperty("publisher").GetString().ShouldBe("CICP");
        record.GetProperty("translations").GetProperty("km").GetProperty("quote").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Theory]
    [InlineData("?lang=km", null)]
    [InlineData("", "km-KH,km;q=0.9,en;q=0.8")]
    public async Task In_khmer_the_list_and_the_record_give_the_khmer_title_say_each_texts_language_and_keep_the_original(
        string query, string? acceptLanguage)
    {
        var (id, theme) = await RegisterThemedAsync();
        (await TranslateAsync(id, Translation(), "\"1\"")).EnsureSuccessStatusCode();

        var list = await Get($"/api/pledges?theme={theme}{query.Replace('?', '&')}", acceptLanguage);
        var item = list.EnumerateArray().Single();
        item.GetProperty("title").GetString().ShouldBe(KhmerTitle);
        item.GetProperty("titleLanguage").GetString().ShouldBe("km");
        item.GetProperty("quoteLanguage").GetString().ShouldBe("und", "an untranslated text is the original, of no recorded language");
        item.GetProperty("quote").GetString().ShouldStartWith("The royal government");
        item.GetProperty("original").GetProperty("title").GetString().ShouldBe(OriginalTitle);

        var record = await Get($"/api/pledges/{id}{query}", acceptLanguage);
        record.GetProperty("title").GetString().ShouldBe(KhmerTitle);
        record.GetProperty("titleLanguage").GetString().ShouldBe("km");
        record.GetProperty("quoteLanguage").GetString().ShouldBe("und");
        record.GetProperty("original").GetProperty("title").GetString().ShouldBe(OriginalTitle);
        record.GetProperty("translations").GetProperty("km").GetProperty("title").GetProperty("text").GetString().ShouldBe(KhmerTitle);
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var asOf = await Get($"/api/pledges/{id}?asOf={today}&axis=recorded{query.Replace('?', '&')}", acceptLanguage);
        asOf.GetProperty("title").GetString().ShouldBe(KhmerTitle, "the as-of record reads in the language too");
        asOf.GetProperty("original").GetProperty("title").GetString().ShouldBe(OriginalTitle);

        var english = (await Get($"/api/pledges?theme={theme}&lang=en")).EnumerateArray().Single();
        english.GetProperty("title").GetString().ShouldBe(OriginalTitle);
        english.GetProperty("titleLanguage").GetString().ShouldBe("und");
    }

    [Fact]
    public async Task A_newer_translation_of_the_same_text_wins_in_the_record_and_the_list()
    {
        var (id, theme) = await RegisterThemedAsync();
        (await TranslateAsync(id, Translation(), "\"1\"")).EnsureSuccessStatusCode();
        (await TranslateAsync(id, Translation(text: BetterKhmerTitle, translator: "Ministry of Foreign Affairs", kind: "official"), "\"2\""))
            .EnsureSuccessStatusCode();

        var title = (await Get($"/api/pledges/{id}")).GetProperty("translations").GetProperty("km").GetProperty("title");
        title.GetProperty("text").GetString().ShouldBe(BetterKhmerTitle);
        title.GetProperty("kind").GetString().ShouldBe("official");
        (await Get($"/api/pledges?theme={theme}&lang=km")).EnumerateArray().Single().GetProperty("title").GetString().ShouldBe(BetterKhmerTitle);
    }

    [Fact]
    public async Task A_milestones_description_is_translated_by_its_id_and_read_in_khmer_on_the_record()
    {
        var id = await RegisterAsync(app.Staff());
        var milestoneId = await WithMilestoneAsync(id);
        (await TranslateAsync(id, Translation($"milestones/{milestoneId}/description", KhmerDescription), "\"2\"")).EnsureSuccessStatusCode();

        var milestone = (await Get($"/api/pledges/{id}?lang=km")).GetProperty("milestones")[0];
        milestone.GetProperty("description").GetString().ShouldBe(KhmerDescription);
        milestone.GetProperty("descriptionLanguage").GetString().ShouldBe("km");
        milestone.GetProperty("title").GetString().ShouldBe("Outreach");
        milestone.GetProperty("titleLanguage").GetString().ShouldBe("und");
        milestone.GetProperty("original").GetProperty("description").GetString().ShouldBe("Students trained");
        (await Get($"/api/pledges/{id}")).GetProperty("translations").GetProperty("km").GetProperty("milestones")
            .GetProperty(milestoneId).GetProperty("description").GetProperty("text").GetString().ShouldBe(KhmerDescription);
    }

    [Fact]
    public async Task Revising_the_original_title_withdraws_its_translation_which_stays_in_the_record()
    {
        var (id, theme) = await RegisterThemedAsync();
        (await TranslateAsync(id, Translation(), "\"1\"")).EnsureSuccessStatusCode();
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/details", new { title = "Appoint a focal point for R2P", reason = "Quoted wrongly" }, "\"2\""), Ct))
            .EnsureSuccessStatusCode();

        var record = await Get($"/api/pledges/{id}?lang=km");
        record.GetProperty("title").GetString().ShouldBe("Appoint a focal point for R2P");
        record.GetProperty("titleLanguage").GetString().ShouldBe("und", "the Khmer title translated the old wording");
        (await Get($"/api/pledges?theme={theme}&lang=km")).EnumerateArray().Single().GetProperty("titleLanguage").GetString().ShouldBe("und");
        (await Get($"/api/pledges/{id}/timeline")).EnumerateArray().ShouldContain(e => e.GetProperty("type").GetString() == "TranslationAdded");
    }

    [Fact]
    public async Task The_current_status_reason_is_translated_and_read_in_khmer_until_the_next_assessment()
    {
        var id = await RegisterAsync(app.Staff());
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/status", StatusChange("Stalled"), "\"1\""), Ct)).EnsureSuccessStatusCode();
        var reason = (await Get($"/api/pledges/{id}")).GetProperty("statusReason").GetString();
        (await TranslateAsync(id, Translation("statusReason", "មិនទាន់មានថវិកា"), "\"2\"")).EnsureSuccessStatusCode();

        var khmer = await Get($"/api/pledges/{id}?lang=km");
        khmer.GetProperty("statusReason").GetString().ShouldBe("មិនទាន់មានថវិកា");
        khmer.GetProperty("statusReasonLanguage").GetString().ShouldBe("km");
        khmer.GetProperty("original").GetProperty("statusReason").GetString().ShouldBe(reason);
        (await Get($"/api/pledges/{id}")).GetProperty("translations").GetProperty("km").GetProperty("statusReason")
            .GetProperty("translator").GetString().ShouldBe("Sok Dara");

        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/status", StatusChange("InTheWorks", reason: "A budget line was approved"), "\"3\""), Ct)).EnsureSuccessStatusCode();
        var after = await Get($"/api/pledges/{id}?lang=km");
        after.GetProperty("statusReasonLanguage").GetString().ShouldBe("und", "the new status came with its own reason");
    }

    private async Task<List<string>> FoundAsync(string theme, string q) =>
        (await Get($"/api/pledges?theme={theme}&q={Uri.EscapeDataString(q)}")).EnumerateArray().Select(p => p.GetProperty("id").GetString()!).ToList();

    [Fact]
    public async Task A_word_of_a_khmer_translation_finds_the_pledge_until_the_translation_no_longer_counts()
    {
        var (id, theme) = await RegisterThemedAsync();
        var milestoneId = await WithMilestoneAsync(id);
        (await FoundAsync(theme, "ទទួលខុសត្រូវ")).ShouldBeEmpty();
        (await TranslateAsync(id, Translation(), "\"2\"")).EnsureSuccessStatusCode();
        (await TranslateAsync(id, Translation($"milestones/{milestoneId}/description", KhmerDescription), "\"3\"")).EnsureSuccessStatusCode();

        (await FoundAsync(theme, "ទទួលខុសត្រូវ")).ShouldBe([id], "a word from the Khmer title");
        (await FoundAsync(theme, "បណ្តុះបណ្តាល")).ShouldBe([id], "a word from a milestone's Khmer description");

        // A better translation replaces the words of the one before it.
        (await TranslateAsync(id, Translation(text: BetterKhmerTitle), "\"4\"")).EnsureSuccessStatusCode();
        (await FoundAsync(theme, "មជ្ឈមណ្ឌល")).ShouldBe([id]);
        (await FoundAsync(theme, "ទទួលខុសត្រូវ")).ShouldBeEmpty("the earlier translation no longer counts");

        // A revised original withdraws its translation, and a retracted milestone takes its translations with it.
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/details", new { title = "Appoint a focal point for R2P", reason = "Quoted wrongly" }, "\"5\""), Ct))
            .EnsureSuccessStatusCode();
        (await FoundAsync(theme, "មជ្ឈមណ្ឌល")).ShouldBeEmpty();
        (await FoundAsync(theme, "បណ្តុះបណ្តាល")).ShouldBe([id]);
        (await app.Staff().SendAsync(Post($"/api/pledges/{id}/milestones/{milestoneId}/retraction", new { reason = "Not this pledge" }, "\"6\""), Ct))
            .EnsureSuccessStatusCode();
        (await FoundAsync(theme, "បណ្តុះបណ្តាល")).ShouldBeEmpty();
        (await FoundAsync(theme, "focal")).ShouldBe([id]);
    }

    public static TheoryData<string, object> BadTranslations => new()
    {
        { "language", new { target = "title", language = "fr", text = KhmerTitle, translator = "Sok Dara", kind = "unofficial" } },
        { "language", new { target = "title", language = "km-KH", text = KhmerTitle, translator = "Sok Dara", kind = "unofficial" } },
        { "target", new { target = "summary", language = "km", text = KhmerTitle, translator = "Sok Dara", kind = "unofficial" } },
        { "target", new { target = "milestones/ms-000000000000/title", language = "km", text = KhmerTitle, translator = "Sok Dara", kind = "unofficial" } },
        { "text", new { target = "title", language = "km", text = "", translator = "Sok Dara", kind = "unofficial" } },
        { "text", new { target = "title", language = "km", text = "ការទទួល\u0007ខុសត្រូវ", translator = "Sok Dara", kind = "unofficial" } },
        { "text", new { target = "title", language = "km", text = "ការទទួល\nខុសត្រូវ", translator = "Sok Dara", kind = "unofficial" } },
        { "translator", new { target = "title", language = "km", text = KhmerTitle, kind = "unofficial" } },
        { "kind", new { target = "title", language = "km", text = KhmerTitle, translator = "Sok Dara", kind = "machine" } },
        { "source.publisher", new { target = "title", language = "km", text = KhmerTitle, translator = "Sok Dara", kind = "official", source = new { title = "Gazette" } } },
        { "occurredOn", new { target = "title", language = "km", text = KhmerTitle, translator = "Sok Dara", kind = "official", occurredOn = "2999" } },
    };

    [Theory]
    [MemberData(nameof(BadTranslations))]
    public async Task A_bad_translation_is_a_400_problem_naming_the_field_and_appends_nothing(string field, object body)
    {
        var id = await RegisterAsync(app.Staff());
        var response = await TranslateAsync(id, body, "\"1\"");
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");
        errors.TryGetProperty(field, out _).ShouldBeTrue(errors.ToString());
        (await app.Store.QuerySession().Events.FetchStreamStateAsync(id, Ct))!.Version.ShouldBe(1);
    }

    [Fact]
    public async Task The_same_translation_again_is_refused_as_changing_nothing()
    {
        var id = await RegisterAsync(app.Staff());
        (await TranslateAsync(id, Translation(), "\"1\"")).EnsureSuccessStatusCode();
        var again = await TranslateAsync(id, Translation(), "\"2\"");
        again.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await again.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("text", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task A_translation_without_if_match_is_428_with_a_stale_one_412_and_by_no_staff_member_refused()
    {
        var id = await RegisterAsync(app.Staff());
        (await TranslateAsync(id, Translation(), null)).StatusCode.ShouldBe(HttpStatusCode.PreconditionRequired);
        (await TranslateAsync(id, Translation(), "\"1\"")).EnsureSuccessStatusCode();
        var stale = await TranslateAsync(id, Translation(text: BetterKhmerTitle), "\"1\"");
        stale.StatusCode.ShouldBe(HttpStatusCode.PreconditionFailed);
        stale.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var anonymous = await app.Anonymous().SendAsync(Post($"/api/pledges/{id}/translations", Translation(), "\"2\""), Ct);
        anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await app.Store.QuerySession().Events.FetchStreamStateAsync(id, Ct))!.Version.ShouldBe(2);
    }

    [Fact]
    public async Task An_unsupported_lang_is_a_400_on_the_list_and_the_record_and_an_unsupported_accept_language_is_ignored()
    {
        var id = await RegisterAsync(app.Staff());
        foreach (var url in new[] { "/api/pledges?lang=fr", $"/api/pledges/{id}?lang=fr" })
        {
            var response = await app.Anonymous().GetAsync(url, Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("lang", out _).ShouldBeTrue();
        }
        var record = await Get($"/api/pledges/{id}", "fr-FR");
        record.TryGetProperty("titleLanguage", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task The_translation_is_in_the_timeline_the_hash_chain_and_the_transparency_log()
    {
        var id = await RegisterAsync(app.Staff());
        (await TranslateAsync(id, Translation(), "\"1\"")).EnsureSuccessStatusCode();

        var entry = (await Get($"/api/pledges/{id}/timeline")).EnumerateArray().Single(e => e.GetProperty("version").GetInt64() == 2);
        entry.GetProperty("type").GetString().ShouldBe("TranslationAdded");
        entry.GetProperty("title").GetString().ShouldBe(KhmerTitle);
        entry.GetProperty("summary").GetString().ShouldBe("The title translated into km by Sok Dara (unofficial)");
        entry.GetProperty("recordedBy").GetString().ShouldBe("Chan Sophea");
        entry.GetProperty("hash").GetString().ShouldNotBeNullOrEmpty();

        (await Get($"/api/pledges/{id}/verify")).GetProperty("valid").GetBoolean().ShouldBeTrue();
        for (var attempt = 0; ; attempt++)
        {
            var history = await Get($"/api/pledges/{id}/history");
            if (history[1].GetProperty("logIndex").ValueKind == JsonValueKind.Number) break;
            if (attempt == 150) throw new TimeoutException("The translation was not entered in the log within 15 s.");
            await Task.Delay(100, Ct);
        }
    }
}
