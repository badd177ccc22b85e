using System.Text.Json;
using Operational.Contracts.Events;
using Operational.ServiceDefaults.Matching;
using Operational.ServiceDefaults.Validation;
using Operational.Storage.Events;
using Operational.Storage.Insights;
using Operational.Storage.Metrics;
using Operational.Storage.Users;

namespace Operational.IntegrationTests.Storage;

/// <summary>
/// What every event store must do, whatever its database. SQLite and MongoDB run the same
/// tests; a provider that passes is interchangeable with the others.
/// </summary>
public abstract class EventStoreContract : StoreContract<IEventStore>
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Stored_event_reads_back_field_for_field()
    {
        var content = JsonDocument.Parse("""{"plan":"pro","n":12345678901234567890.5,"rows":[1,"a",null,true]}""").RootElement;
        var e = new IngestedEvent("e1", "p1", "user signed up", "🎉", "signups", content, T0, T0.AddMilliseconds(3));

        Assert.Equal(1, await Store.AppendAsync([e], CancellationToken.None));
        var stored = await Store.GetAsync("p1", "e1", CancellationToken.None);

        Assert.NotNull(stored);
        Assert.Equal(("e1", "p1", "user signed up", "🎉", "signups"), (stored.Id, stored.ProjectId, stored.Name, stored.Avatar, stored.Category));
        Assert.Equal(content.GetRawText(), stored.Content!.Value.GetRawText());
        Assert.Equal(T0, stored.Timestamp);
        Assert.Equal(T0.AddMilliseconds(3), stored.ReceivedAt);
    }

    [Fact]
    public async Task Optional_fields_may_be_absent()
    {
        await Store.AppendAsync([Event("p1", "bare", T0) with { Avatar = null, Category = null, Content = null }], CancellationToken.None);

        var stored = await Store.GetAsync("p1", "bare", CancellationToken.None);

        Assert.Null(stored!.Avatar);
        Assert.Null(stored.Category);
        Assert.Null(stored.Content);
    }

    [Fact]
    public async Task Redelivered_batch_is_stored_once()
    {
        IngestedEvent[] batch = [Event("p1", "a", T0), Event("p1", "b", T0.AddSeconds(1))];

        Assert.Equal(2, await Store.AppendAsync(batch, CancellationToken.None));
        Assert.Equal(0, await Store.AppendAsync(batch, CancellationToken.None));
        Assert.Equal(1, await Store.AppendAsync([batch[0], Event("p1", "c", T0.AddSeconds(2))], CancellationToken.None));

        var page = await Store.ListAsync("p1", new EventQuery(10), CancellationToken.None);
        Assert.Equal(["c", "b", "a"], page.Events.Select(e => e.Id));
    }

    [Fact]
    public async Task Duplicate_keeps_the_first_version()
    {
        await Store.AppendAsync([Event("p1", "a", T0) with { Name = "first" }], CancellationToken.None);
        await Store.AppendAsync([Event("p1", "a", T0) with { Name = "second" }], CancellationToken.None);

        Assert.Equal("first", (await Store.GetAsync("p1", "a", CancellationToken.None))!.Name);
    }

    [Fact]
    public async Task Projects_never_see_each_other()
    {
        await Store.AppendAsync([Event("p1", "same-id", T0) with { Name = "one" }, Event("p2", "same-id", T0) with { Name = "two" }], CancellationToken.None);

        Assert.Equal("one", (await Store.GetAsync("p1", "same-id", CancellationToken.None))!.Name);
        Assert.Equal("two", (await Store.GetAsync("p2", "same-id", CancellationToken.None))!.Name);
        Assert.Null(await Store.GetAsync("p3", "same-id", CancellationToken.None));
        Assert.Equal(["one"], (await Store.ListAsync("p1", new EventQuery(10), CancellationToken.None)).Events.Select(e => e.Name));
        Assert.Empty((await Store.ListAsync("p3", new EventQuery(10), CancellationToken.None)).Events);
    }

    [Fact]
    public async Task Pages_are_newest_first_with_ties_broken_by_id()
    {
        // Three events share a millisecond: the id decides, descending.
        await Store.AppendAsync(
            [
                Event("p1", "a", T0),
                Event("p1", "m", T0.AddSeconds(5)),
                Event("p1", "x", T0.AddSeconds(5)),
                Event("p1", "c", T0.AddSeconds(5)),
                Event("p1", "z", T0.AddSeconds(9)),
            ],
            CancellationToken.None);

        var first = await Store.ListAsync("p1", new EventQuery(2), CancellationToken.None);
        var second = await Store.ListAsync("p1", new EventQuery(2, first.Next), CancellationToken.None);
        var third = await Store.ListAsync("p1", new EventQuery(2, second.Next), CancellationToken.None);

        Assert.Equal(["z", "x"], first.Events.Select(e => e.Id));
        Assert.Equal(["m", "c"], second.Events.Select(e => e.Id));
        Assert.Equal(["a"], third.Events.Select(e => e.Id));
        Assert.NotNull(first.Next);
        Assert.NotNull(second.Next);
        Assert.Null(third.Next);
    }

    [Fact]
    public async Task Cursor_is_stable_while_new_events_arrive()
    {
        await Store.AppendAsync([Event("p1", "a", T0), Event("p1", "b", T0.AddSeconds(1)), Event("p1", "c", T0.AddSeconds(2))], CancellationToken.None);
        var first = await Store.ListAsync("p1", new EventQuery(2), CancellationToken.None);

        await Store.AppendAsync([Event("p1", "new", T0.AddSeconds(10))], CancellationToken.None);
        var second = await Store.ListAsync("p1", new EventQuery(2, first.Next), CancellationToken.None);

        Assert.Equal(["c", "b"], first.Events.Select(e => e.Id));
        Assert.Equal(["a"], second.Events.Select(e => e.Id));
    }

    [Fact]
    public async Task Exact_page_size_has_no_next_page()
    {
        await Store.AppendAsync([Event("p1", "a", T0), Event("p1", "b", T0.AddSeconds(1))], CancellationToken.None);

        var page = await Store.ListAsync("p1", new EventQuery(2), CancellationToken.None);

        Assert.Equal(2, page.Events.Count);
        Assert.Null(page.Next);
    }

    [Fact]
    public async Task Large_batch_is_stored_whole()
    {
        var batch = Enumerable.Range(0, 1000).Select(i => Event("p1", $"e{i:D4}", T0.AddMilliseconds(i))).ToArray();

        Assert.Equal(1000, await Store.AppendAsync(batch, CancellationToken.None));

        var page = await Store.ListAsync("p1", new EventQuery(EventQuery.MaxLimit), CancellationToken.None);
        Assert.Equal("e0999", page.Events[0].Id);
        Assert.Equal(EventQuery.MaxLimit, page.Events.Count);
    }

    [Fact]
    public async Task Every_field_of_the_event_model_round_trips()
    {
        var rows = JsonDocument.Parse("""[{"label":"Plan","content":"pro"},{"label":"Raw","type":"json","content":{"n":1.50}}]""").RootElement;
        var meta = JsonDocument.Parse("""{"order":42}""").RootElement;
        var tags = JsonDocument.Parse("""{"plan":"pro","seats":5,"trial":false}""").RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
        var e = new IngestedEvent("full", "p1", "payment received", "💸", "billing", rows, T0, T0.AddSeconds(1))
        {
            Type = EventTypes.Rows,
            ContextId = "checkout-42",
            ContextStart = true,
            ContextEnd = true,
            ContextTimeout = 900,
            Actions = [new EventAction("refund", "Refund", "https://shop.example/refund", false, true, 60, meta), new EventAction(null, "Open", "https://shop.example", true, false, 10080, null)],
            Notify = true,
            Test = true,
            UserId = "u-7",
            Tags = tags,
            Level = EventLevels.Success,
            Backfilled = true,
            Warnings = [new EventWarning("name", "truncated", "the original name")],
        };

        await Store.AppendAsync([e], CancellationToken.None);
        var stored = (await Store.GetAsync("p1", "full", CancellationToken.None))!;

        Assert.Equal(rows.GetRawText(), stored.Content!.Value.GetRawText());
        Assert.Equal((EventTypes.Rows, "checkout-42", true, true, true, "u-7", EventLevels.Success, true),
            (stored.Type, stored.ContextId, stored.ContextStart, stored.Notify, stored.Test, stored.UserId, stored.Level, stored.Backfilled));
        Assert.Equal((true, 900), (stored.ContextEnd, stored.ContextTimeout));
        Assert.Equal(2, stored.Actions!.Count);
        Assert.Equal(("refund", "Refund", "https://shop.example/refund", false, true, 60), (stored.Actions[0].Key, stored.Actions[0].ButtonText, stored.Actions[0].Url, stored.Actions[0].External, stored.Actions[0].Repeat, stored.Actions[0].ExpireIn));
        Assert.Equal(meta.GetRawText(), stored.Actions[0].Meta!.Value.GetRawText());
        Assert.Null(stored.Actions[1].Key);
        Assert.Equal(["plan", "seats", "trial"], stored.Tags!.Keys.Order());
        Assert.Equal(5, stored.Tags["seats"].GetInt32());
        Assert.Equal(JsonValueKind.False, stored.Tags["trial"].ValueKind);
        Assert.Equal(new EventWarning("name", "truncated", "the original name"), Assert.Single(stored.Warnings!));
    }

    [Fact]
    public async Task Test_events_are_listed_only_when_asked_for()
    {
        await Store.AppendAsync([Event("p1", "live", T0), Event("p1", "trial", T0.AddSeconds(1)) with { Test = true }], CancellationToken.None);

        Assert.Equal(["live"], await IdsAsync(new EventQuery(10)));
        Assert.Equal(["trial"], await IdsAsync(new EventQuery(10) { Test = true }));
    }

    [Fact]
    public async Task Filters_select_exactly_the_matching_events_and_combine()
    {
        await Store.AppendAsync(
            [
                Event("p1", "a", T0) with { Category = "billing", Level = EventLevels.Error, UserId = "u1", ContextId = "c1", Tags = Tags("""{"plan":"pro","seats":5}""") },
                Event("p1", "b", T0.AddMinutes(1)) with { Category = "billing", UserId = "u2", Tags = Tags("""{"plan":"free"}""") },
                Event("p1", "c", T0.AddMinutes(2)) with { Category = "signups", UserId = "u1", ContextId = "c1", Name = "user signed up" },
                Event("p1", "d", T0.AddMinutes(3)) with { Category = null, Level = EventLevels.Error },
                Event("p2", "other", T0) with { Category = "billing", UserId = "u1" },
            ],
            CancellationToken.None);

        Assert.Equal(["b", "a"], await IdsAsync(new EventQuery(10) { Category = "billing" }));
        Assert.Equal(["d", "a"], await IdsAsync(new EventQuery(10) { Level = EventLevels.Error }));
        Assert.Equal(["c", "a"], await IdsAsync(new EventQuery(10) { UserId = "u1" }));
        Assert.Equal(["c", "a"], await IdsAsync(new EventQuery(10) { ContextId = "c1" }));
        Assert.Equal(["c"], await IdsAsync(new EventQuery(10) { Name = "user signed up" }));
        Assert.Equal(["a"], await IdsAsync(new EventQuery(10) { Tag = StoredEventJson.TagPair("plan", "pro") }));
        Assert.Equal(["a"], await IdsAsync(new EventQuery(10) { Tag = StoredEventJson.TagPair("seats", "5") }));
        Assert.Equal(["c", "b"], await IdsAsync(new EventQuery(10) { From = T0.AddMinutes(1), To = T0.AddMinutes(3) }));
        Assert.Equal(["a"], await IdsAsync(new EventQuery(10) { Category = "billing", UserId = "u1" }));
        Assert.Empty(await IdsAsync(new EventQuery(10) { Category = "nothing" }));
    }

    [Fact]
    public async Task Filtered_pages_continue_with_the_cursor()
    {
        await Store.AppendAsync(Enumerable.Range(0, 7).Select(i => Event("p1", $"e{i}", T0.AddSeconds(i)) with { Category = i % 2 == 0 ? "even" : "odd" }).ToArray(), CancellationToken.None);

        var first = await Store.ListAsync("p1", new EventQuery(2) { Category = "even" }, CancellationToken.None);
        var second = await Store.ListAsync("p1", new EventQuery(2, first.Next) { Category = "even" }, CancellationToken.None);

        Assert.Equal(["e6", "e4"], first.Events.Select(e => e.Id));
        Assert.Equal(["e2", "e0"], second.Events.Select(e => e.Id));
        Assert.Null(second.Next);
    }

    [Fact]
    public async Task Search_finds_words_in_the_name_and_the_text_content()
    {
        var rows = JsonDocument.Parse("""[{"label":"Host","content":"db-primary"}]""").RootElement;
        await Store.AppendAsync(
            [
                Event("p1", "deploy", T0) with { Name = "Deploy finished", Content = JsonDocument.Parse("\"version 2.4 rolled out to production\"").RootElement },
                Event("p1", "disk", T0.AddSeconds(1)) with { Name = "Disk almost full", Type = EventTypes.Rows, Content = rows },
                Event("p1", "json", T0.AddSeconds(2)) with { Name = "Webhook", Type = EventTypes.Json, Content = JsonDocument.Parse("""{"production":true}""").RootElement },
                Event("p2", "elsewhere", T0) with { Name = "Deploy finished" },
            ],
            CancellationToken.None);

        Assert.Equal(["deploy"], await IdsAsync(new EventQuery(10) { Words = ["deploy"] }));
        Assert.Equal(["deploy"], await IdsAsync(new EventQuery(10) { Words = ["production"] })); // json content is not text
        Assert.Equal(["deploy"], await IdsAsync(new EventQuery(10) { Words = ["rolled", "production"] }));
        Assert.Equal(["disk"], await IdsAsync(new EventQuery(10) { Words = ["primary"] }));
        Assert.Empty(await IdsAsync(new EventQuery(10) { Words = ["deploy", "disk"] }));
    }

    [Fact]
    public async Task Search_and_tag_results_page_with_their_cursor()
    {
        await Store.AppendAsync(Enumerable.Range(0, 7).Select(i => Event("p1", $"e{i}", T0.AddSeconds(i)) with
        {
            Name = i % 2 == 0 ? "match me" : "other",
            Tags = Tags(i % 2 == 0 ? """{"kind":"even"}""" : """{"kind":"odd"}"""),
        }).ToArray(), CancellationToken.None);

        foreach (var query in new[] { new EventQuery(2) { Words = ["match"] }, new EventQuery(2) { Tag = StoredEventJson.TagPair("kind", "even") } })
        {
            var seen = new List<string>();
            var page = await Store.ListAsync("p1", query, CancellationToken.None);
            seen.AddRange(page.Events.Select(e => e.Id));
            while (page.Next is not null)
            {
                page = await Store.ListAsync("p1", query with { After = page.Next }, CancellationToken.None);
                seen.AddRange(page.Events.Select(e => e.Id));
            }

            Assert.Equal(["e6", "e4", "e2", "e0"], seen);
        }
    }

    [Fact]
    public async Task Categories_count_stored_events_once_each()
    {
        IngestedEvent[] batch =
        [
            Event("p1", "a", T0) with { Category = "billing" },
            Event("p1", "b", T0.AddMinutes(5)) with { Category = "billing" },
            Event("p1", "c", T0.AddMinutes(1)) with { Category = "signups" },
            Event("p1", "t", T0) with { Category = "billing", Test = true },
            Event("p1", "n", T0) with { Category = null },
            Event("p2", "x", T0) with { Category = "billing" },
        ];
        await Store.AppendAsync(batch, CancellationToken.None);
        await Store.AppendAsync(batch, CancellationToken.None); // redelivery changes nothing

        var live = await Store.CategoriesAsync("p1", test: false, CancellationToken.None);
        var test = await Store.CategoriesAsync("p1", test: true, CancellationToken.None);

        Assert.Equal([("billing", 2L, T0.AddMinutes(5)), ("signups", 1L, T0.AddMinutes(1))], live.Select(c => (c.Category, c.Count, c.LastEventAt)));
        Assert.Equal([("billing", 1L)], test.Select(c => (c.Category, c.Count)));
        Assert.Empty(await Store.CategoriesAsync("p3", test: false, CancellationToken.None));
    }

    [Fact]
    public async Task Expired_events_are_deleted_in_bounded_batches_with_everything_that_points_at_them()
    {
        var now = T0;
        var defaults = new RetentionPolicy(365, 7).CutoffsAt(now);
        var overrides = new Dictionary<string, RetentionCutoffs> { ["p2"] = new RetentionPolicy(30, 1).CutoffsAt(now) };
        await Store.AppendAsync(
            [
                Event("p1", "old-live", now.AddDays(-400)) with { Category = "billing", Name = "ancient invoice", Tags = Tags("""{"plan":"pro"}""") },
                Event("p1", "live", now.AddDays(-300)) with { Category = "billing" },
                Event("p1", "old-test", now.AddDays(-8)) with { Test = true, Category = "billing" },
                Event("p1", "test", now.AddDays(-6)) with { Test = true },
                Event("p2", "p2-old", now.AddDays(-40)),
                Event("p2", "p2-kept", now.AddDays(-20)),
                Event("p2", "p2-old-test", now.AddDays(-2)) with { Test = true },
            ],
            CancellationToken.None);

        var rounds = new List<int>();
        int deleted;
        do
        {
            deleted = await Store.DeleteExpiredAsync(defaults, overrides, 2, CancellationToken.None);
            rounds.Add(deleted);
        }
        while (deleted == 2);

        Assert.Equal(4, rounds.Sum());
        Assert.All(rounds, r => Assert.InRange(r, 0, 2));
        foreach (var (project, id) in new[] { ("p1", "old-live"), ("p1", "old-test"), ("p2", "p2-old"), ("p2", "p2-old-test") })
        {
            Assert.Null(await Store.GetAsync(project, id, CancellationToken.None));
        }

        Assert.Equal(["live"], await IdsAsync(new EventQuery(10)));
        Assert.Equal(["test"], await IdsAsync(new EventQuery(10) { Test = true }));
        Assert.Equal(["p2-kept"], (await Store.ListAsync("p2", new EventQuery(10), CancellationToken.None)).Events.Select(e => e.Id));
        Assert.Empty(await IdsAsync(new EventQuery(10) { Words = ["ancient"] }));
        Assert.Empty(await IdsAsync(new EventQuery(10) { Tag = StoredEventJson.TagPair("plan", "pro") }));
        Assert.Equal([("billing", 1L)], (await Store.CategoriesAsync("p1", test: false, CancellationToken.None)).Select(c => (c.Category, c.Count)));
        Assert.Equal([("test", 1L)], (await Store.CategoriesAsync("p1", test: true, CancellationToken.None)).Select(c => (c.Category, c.Count)));
        Assert.Equal(0, await Store.DeleteExpiredAsync(defaults, overrides, 2, CancellationToken.None));
    }

    [Fact]
    public async Task Retention_policies_are_kept_per_project()
    {
        Assert.Null(await Store.GetRetentionAsync("p1", CancellationToken.None));

        await Store.SetRetentionAsync("p1", new RetentionPolicy(90, 3), CancellationToken.None);
        await Store.SetRetentionAsync("p1", new RetentionPolicy(30, 2), CancellationToken.None);
        await Store.SetRetentionAsync("p2", new RetentionPolicy(400, 14), CancellationToken.None);

        Assert.Equal(new RetentionPolicy(30, 2), await Store.GetRetentionAsync("p1", CancellationToken.None));
        var all = await Store.RetentionOverridesAsync(CancellationToken.None);
        Assert.Equal(["p1", "p2"], all.Keys.Order());
        Assert.Equal(new RetentionPolicy(400, 14), all["p2"]);
    }

    [Fact]
    public async Task Stored_order_positions_increase_and_resume_after_a_position()
    {
        Assert.Equal(0, await Store.LatestPositionAsync("p1", CancellationToken.None));
        await Store.AppendAsync([Event("p1", "late", T0.AddDays(1)), Event("p1", "early", T0)], CancellationToken.None);
        await Store.AppendAsync([Event("p2", "other", T0), Event("p1", "third", T0.AddDays(-1))], CancellationToken.None);

        var all = await Store.ReadStoredAfterAsync("p1", 0, 10, [], CancellationToken.None);
        Assert.Equal(["late", "early", "third"], all.Select(e => e.Event.Id)); // storage order, not timestamp order
        Assert.Equal(all.Select(e => e.Position).Order(), all.Select(e => e.Position));
        Assert.True(await Store.LatestPositionAsync("p1", CancellationToken.None) >= all[^1].Position);
        Assert.Equal(["third"], (await Store.ReadStoredAfterAsync("p1", all[1].Position, 10, [], CancellationToken.None)).Select(e => e.Event.Id));
        Assert.Equal(["late"], (await Store.ReadStoredAfterAsync("p1", 0, 1, [], CancellationToken.None)).Select(e => e.Event.Id));
        // Positions a stream already sent are skipped and do not use up the limit.
        Assert.Equal(["third"], (await Store.ReadStoredAfterAsync("p1", 0, 1, [all[0].Position, all[1].Position], CancellationToken.None)).Select(e => e.Event.Id));
    }

    [Fact]
    public async Task Ping_answers() => await Store.PingAsync(CancellationToken.None);

    private async Task<List<string>> IdsAsync(EventQuery query) =>
        (await Store.ListAsync("p1", query, CancellationToken.None)).Events.Select(e => e.Id).ToList();

    private static Dictionary<string, JsonElement> Tags(string json) =>
        JsonDocument.Parse(json).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());

    [Fact]
    public async Task Volume_counts_per_key_and_bucket_within_the_range_of_one_project()
    {
        var from = T0;
        await Store.AppendAsync(
            [
                Event("p1", "a", from) with { Category = "billing" },
                Event("p1", "b", from.AddMinutes(59)) with { Category = "billing" },
                Event("p1", "c", from.AddMinutes(61)) with { Category = null },
                Event("p1", "d", from.AddMinutes(125)) with { Category = "billing", Name = "refund" },
                Event("p1", "t", from.AddMinutes(5)) with { Category = "billing", Test = true },
                Event("p1", "late", from.AddHours(3)) with { Category = "billing" },
                Event("p1", "early", from.AddSeconds(-1)) with { Category = "billing" },
                Event("p2", "x", from) with { Category = "billing" },
            ],
            CancellationToken.None);

        var byCategory = await Store.VolumeAsync("p1", test: false, VolumeKey.Category, from, from.AddHours(3), TimeSpan.FromHours(1), CancellationToken.None);
        Assert.Equal(
            [new VolumeCount("", 1, 1), new VolumeCount("billing", 0, 2), new VolumeCount("billing", 2, 1)],
            byCategory.OrderBy(c => c.Key, StringComparer.Ordinal).ThenBy(c => c.Bucket));

        var byName = await Store.VolumeAsync("p1", test: false, VolumeKey.Name, from, from.AddHours(3), TimeSpan.FromHours(1), CancellationToken.None);
        Assert.Contains(new VolumeCount("refund", 2, 1), byName);
        Assert.Equal(4, byName.Sum(c => c.Count));

        var test = await Store.VolumeAsync("p1", test: true, VolumeKey.Category, from, from.AddHours(3), TimeSpan.FromHours(1), CancellationToken.None);
        Assert.Equal([new VolumeCount("billing", 0, 1)], test);
    }

    [Fact]
    public async Task Users_count_each_stored_live_event_once_and_keep_first_and_last_seen()
    {
        var users = (IUserStore)Store;
        IngestedEvent[] batch =
        [
            Event("p1", "u1", T0.AddMinutes(5)) with { UserId = "ana" },
            Event("p1", "u2", T0) with { UserId = "ana" },
            Event("p1", "u3", T0.AddMinutes(9)) with { UserId = "ana", Test = true },
            Event("p2", "u4", T0) with { UserId = "ana" },
        ];

        await Store.AppendAsync(batch, CancellationToken.None);
        await Store.AppendAsync(batch, CancellationToken.None); // redelivered: nothing counts twice

        var ana = await users.GetUserAsync("p1", "ana", CancellationToken.None);
        Assert.Equal((2L, T0, T0.AddMinutes(5)), (ana!.EventCount, ana.FirstSeen, ana.LastSeen));
        Assert.Equal(1, (await users.GetUserAsync("p2", "ana", CancellationToken.None))!.EventCount);
    }

    [Fact]
    public async Task Identify_merges_properties_and_null_removes_one()
    {
        var users = (IUserStore)Store;
        var errors = new FieldErrors();
        await users.IdentifyAsync("p1", "bo", Json("""{"plan": "free", "email": "bo@example.com"}"""), T0, errors, CancellationToken.None);
        var merged = await users.IdentifyAsync("p1", "bo", Json("""{"plan": "pro", "email": null, "seats": 3}"""), T0.AddMinutes(1), errors, CancellationToken.None);

        Assert.True(errors.IsEmpty);
        Assert.Equal("""{"plan":"pro","seats":3}""", merged!.Properties.ToJsonString());
        Assert.Equal((0L, (DateTimeOffset?)null, T0.AddMinutes(1)), (merged.EventCount, merged.FirstSeen, merged.IdentifiedAt));
        await Store.AppendAsync([Event("p1", "b1", T0.AddMinutes(2)) with { UserId = "bo" }], CancellationToken.None);
        var seen = await users.GetUserAsync("p1", "bo", CancellationToken.None);
        Assert.Equal((1L, T0.AddMinutes(2), "pro"), (seen!.EventCount, seen.FirstSeen, (string?)seen.Properties["plan"]));
    }

    [Fact]
    public async Task Users_page_by_last_seen_and_filter_by_id_and_property()
    {
        var users = (IUserStore)Store;
        for (var i = 0; i < 5; i++)
        {
            await Store.AppendAsync([Event("p1", $"e{i}", T0.AddMinutes(i)) with { UserId = $"user-{i}" }], CancellationToken.None);
        }

        await users.IdentifyAsync("p1", "user-3", Json("""{"plan": "pro", "beta": true}"""), T0, new FieldErrors(), CancellationToken.None);
        var first = await users.ListUsersAsync("p1", new UserQuery(null, null, null, 2, null), CancellationToken.None);
        var second = await users.ListUsersAsync("p1", new UserQuery(null, null, null, 2, first.Next), CancellationToken.None);

        Assert.Equal(["user-4", "user-3"], first.Users.Select(u => u.UserId));
        Assert.Equal(["user-2", "user-1"], second.Users.Select(u => u.UserId));
        Assert.Equal(["user-3"], (await users.ListUsersAsync("p1", new UserQuery(null, "plan", "pro", 10, null), CancellationToken.None)).Users.Select(u => u.UserId));
        Assert.Equal(["user-3"], (await users.ListUsersAsync("p1", new UserQuery(null, "beta", "true", 10, null), CancellationToken.None)).Users.Select(u => u.UserId));
        Assert.Equal(["user-1"], (await users.ListUsersAsync("p1", new UserQuery("ER-1", null, null, 10, null), CancellationToken.None)).Users.Select(u => u.UserId));
    }

    [Fact]
    public async Task Groups_keep_properties_and_count_each_member_once()
    {
        var users = (IUserStore)Store;
        var errors = new FieldErrors();
        await users.GroupAsync("p1", "acme", "ana", Json("""{"name": "Acme"}"""), T0, errors, CancellationToken.None);
        await users.GroupAsync("p1", "acme", "ana", null, T0, errors, CancellationToken.None);
        var group = await users.GroupAsync("p1", "acme", "bo", Json("""{"seats": 25}"""), T0, errors, CancellationToken.None);

        Assert.Equal((2L, """{"name":"Acme","seats":25}"""), (group!.Members, group.Properties.ToJsonString()));
        Assert.Equal(["acme"], (await users.GetUserAsync("p1", "ana", CancellationToken.None))!.Groups);
    }

    [Fact]
    public async Task Insights_set_increment_concurrently_and_keep_their_history()
    {
        var insights = (IInsightStore)Store;
        await insights.SetInsightAsync("p1", "MRR", Json("1200"), "💵", T0, CancellationToken.None);
        await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            insights.IncrementInsightAsync("p1", "MRR", 30, null, T0.AddMinutes(i + 1), new FieldErrors(), CancellationToken.None)));
        await insights.SetInsightAsync("p1", "Status", Json("\"up\""), null, T0, CancellationToken.None);
        var refused = new FieldErrors();

        Assert.Null(await insights.IncrementInsightAsync("p1", "Status", 1, null, T0, refused, CancellationToken.None));
        Assert.True(refused.Has("value"));
        var listed = await insights.ListInsightsAsync("p1", 3, CancellationToken.None);
        var mrr = Assert.Single(listed, i => i.Title == "MRR");
        Assert.Equal((1500m, "💵"), (mrr.Value.GetDecimal(), mrr.Icon));
        Assert.Equal([1440m, 1470m, 1500m], mrr.History.Select(p => p.Value.GetDecimal()));
        Assert.Equal("up", Assert.Single(listed, i => i.Title == "Status").Value.GetString());
        Assert.Empty(await insights.ListInsightsAsync("p2", 3, CancellationToken.None));
    }

    [Fact]
    public async Task Metric_rollups_hold_each_groups_values_once_and_rank_groups_by_count()
    {
        var rollups = (IMetricStore)Store;
        var at = new DateTimeOffset(2026, 11, 22, 10, 15, 0, TimeSpan.Zero);
        IngestedEvent Import(string id, string customer, double ms) => Event("p1", id, at) with
        {
            Name = "import finished",
            Tags = new Dictionary<string, JsonElement> { ["durationMs"] = JsonSerializer.SerializeToElement(ms), ["customer"] = JsonSerializer.SerializeToElement(customer) },
        };

        IngestedEvent[] batch = [.. Enumerable.Range(0, 30).Select(i => Import($"m{i}", i % 3 == 0 ? "acme" : "globex", 100 + i))];
        await Store.AppendAsync(batch, CancellationToken.None);
        await Store.AppendAsync(batch, CancellationToken.None); // redelivered: folded once
        var worker = new MetricRollupWorker(rollups, new Operational.Storage.LiveFeed.StoredSignal(), TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<MetricRollupWorker>.Instance);
        while (await worker.FoldOnceAsync(CancellationToken.None) > 0)
        {
        }

        var series = new SeriesSelector("p1", "import finished", "durationMs", "customer");
        var (from, to) = (at.AddHours(-1).ToUnixTimeSeconds(), at.AddHours(1).ToUnixTimeSeconds());
        Assert.Equal([("globex", 20L), ("acme", 10L)], await rollups.RankGroupsAsync(series, Resolution.Hour, from, to, 10, CancellationToken.None));
        var acme = Assert.Single(await rollups.ReadSeriesAsync(series, "acme", Resolution.Hour, from, to, CancellationToken.None));
        Assert.Equal((10L, 100.0, 127.0), (acme.Aggregate.Count, acme.Aggregate.Min, acme.Aggregate.Max));
        Assert.InRange(acme.Aggregate.Statistic("p50")!.Value, 112 * 0.99, 112 * 1.01);
        var all = Assert.Single(await rollups.ReadSeriesAsync(series with { GroupKey = "" }, "", Resolution.Minute, from, to, CancellationToken.None));
        Assert.Equal(30, all.Aggregate.Count);
        Assert.Contains(("import finished", "durationMs", "customer"), await rollups.CatalogAsync("p1", 0, CancellationToken.None));
        Assert.Empty(await rollups.ReadSeriesAsync(series, "acme", Resolution.Hour, from, to - 7200, CancellationToken.None));
    }

    [Fact]
    public async Task Saved_metrics_are_kept_per_project_and_fold_what_they_match_from_their_creation_on()
    {
        var rollups = (IMetricStore)Store;
        var ct = CancellationToken.None;
        var created = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
        var pro = new EventConditions(null, null, null, null, new Dictionary<string, JsonElement> { ["plan"] = Json("\"pro\"") }, null, null);
        var metric = new SavedMetric("p1", "pro", "Pro imports", pro, "durationMs", "customer", created);

        Assert.Equal(SavedMetricAdded.Added, await rollups.AddSavedMetricAsync(metric, 2, ct));
        Assert.Equal(SavedMetricAdded.KeyTaken, await rollups.AddSavedMetricAsync(metric with { Title = "again" }, 2, ct));
        Assert.Equal(SavedMetricAdded.Added, await rollups.AddSavedMetricAsync(metric with { Key = "all", GroupBy = null, Match = new EventConditions(null, null, null, null, null, null, null) }, 2, ct));
        Assert.Equal(SavedMetricAdded.TooMany, await rollups.AddSavedMetricAsync(metric with { Key = "third" }, 2, ct));
        Assert.Equal(SavedMetricAdded.Added, await rollups.AddSavedMetricAsync(metric with { ProjectId = "p2" }, 2, ct));

        IngestedEvent Import(string id, DateTimeOffset at, string plan, string customer, double ms) => Event("p1", id, at) with
        {
            Name = "import finished",
            Tags = new Dictionary<string, JsonElement> { ["durationMs"] = JsonSerializer.SerializeToElement(ms), ["plan"] = Json($"\"{plan}\""), ["customer"] = Json($"\"{customer}\"") },
        };
        var later = created.AddMinutes(5);
        await Store.AppendAsync(
            [Import("s0", created.AddMinutes(-1), "pro", "acme", 9000), Import("s1", later, "pro", "acme", 100), Import("s2", later, "pro", "acme", 200),
             Import("s3", later, "free", "acme", 300), Import("s4", later, "pro", "globex", 50)], ct);
        var worker = new MetricRollupWorker(rollups, new Operational.Storage.LiveFeed.StoredSignal(), TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<MetricRollupWorker>.Instance);
        while (await worker.FoldOnceAsync(ct) > 0)
        {
        }

        var series = new SeriesSelector("p1", metric.SeriesName, "durationMs", "customer");
        var (from, to) = (created.ToUnixTimeSeconds(), created.AddHours(1).ToUnixTimeSeconds());
        Assert.Equal([("acme", 2L), ("globex", 1L)], await rollups.RankGroupsAsync(series, Resolution.Minute, from, to, 10, ct));
        var whole = Assert.Single(await rollups.ReadSeriesAsync(series with { GroupKey = "" }, "", Resolution.Minute, from, to, ct));
        Assert.Equal((3L, 350.0), (whole.Aggregate.Count, whole.Aggregate.Sum));
        var all = (await rollups.ListSavedMetricsAsync("p1", ct)).Single(m => m.Key == "all");
        Assert.Equal(4, Assert.Single(await rollups.ReadSeriesAsync(new SeriesSelector("p1", all.SeriesName, "durationMs", ""), "", Resolution.Hour, from, to, ct)).Aggregate.Count);
        Assert.DoesNotContain(await rollups.CatalogAsync("p1", 0, ct), c => c.Name.StartsWith('\u0001'));

        var listed = await rollups.ListSavedMetricsAsync("p1", ct);
        Assert.Equal(["all", "pro"], listed.Select(m => m.Key));
        var read = listed.Single(m => m.Key == "pro");
        Assert.Equal((metric.Title, metric.Field, metric.GroupBy, metric.CreatedAt), (read.Title, read.Field, read.GroupBy, read.CreatedAt));
        Assert.True(EventMatcher.Compile(read.Match).Matches(Import("s5", later, "pro", "x", 1)));
        Assert.Equal(3, (await rollups.ListSavedMetricsAsync(null, ct)).Count);

        Assert.True(await rollups.DeleteSavedMetricAsync("p1", "pro", ct));
        Assert.False(await rollups.DeleteSavedMetricAsync("p1", "pro", ct));
        Assert.Empty(await rollups.ReadSeriesAsync(series, "acme", Resolution.Minute, from, to, ct));
        Assert.Equal(["all"], (await rollups.ListSavedMetricsAsync("p1", ct)).Select(m => m.Key));
        Assert.Single(await rollups.ListSavedMetricsAsync("p2", ct));
    }

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static IngestedEvent Event(string project, string id, DateTimeOffset at) =>
        new(id, project, $"event {id}", "🔥", "test", null, at, at);
}
