using System.Text.Json;
using Operational.Contracts.Alerts;
using Operational.Rules.Alerts;
using Operational.Rules.Definitions;
using Operational.Rules.Evaluation;
using Operational.Rules.Storage;

namespace Operational.IntegrationTests.Rules;

/// <summary>
/// What every rules store must do, whatever its database; SQLite and MongoDB run the same tests.
/// <see cref="StoreContract{TStore}.CreateStore"/> may be called twice: both stores then share one database, as
/// replicas of the rules service do.
/// </summary>
public abstract class RulesStoreContract : StoreContract<IRulesStore>
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Rules_are_saved_listed_per_project_and_deleted_each_change_moving_the_version()
    {
        var version = await Store.RulesVersionAsync(CancellationToken.None);
        var rule = Rule("p1", "r1");
        await Store.SaveRuleAsync(rule, CancellationToken.None);
        await Store.SaveRuleAsync(Rule("p2", "r2"), CancellationToken.None);
        var changed = rule with { Definition = rule.Definition with { Name = "renamed" }, UpdatedAt = T0.AddMinutes(1) };
        await Store.SaveRuleAsync(changed, CancellationToken.None);

        var read = await Store.GetRuleAsync("p1", "r1", CancellationToken.None);
        Assert.Equal("renamed", read!.Definition.Name);
        Assert.Equal((T0, T0.AddMinutes(1)), (read.CreatedAt, read.UpdatedAt));
        Assert.Equal(JsonSerializer.Serialize(changed.Definition), JsonSerializer.Serialize(read.Definition));
        Assert.Null(await Store.GetRuleAsync("p2", "r1", CancellationToken.None));
        Assert.Equal(["r1"], (await Store.ListRulesAsync("p1", CancellationToken.None)).Select(r => r.Id));
        Assert.Equal(2, (await Store.AllRulesAsync(CancellationToken.None)).Count);
        var afterSaves = await Store.RulesVersionAsync(CancellationToken.None);
        Assert.True(afterSaves > version);

        Assert.False(await Store.DeleteRuleAsync("p2", "r1", CancellationToken.None));
        Assert.True(await Store.DeleteRuleAsync("p1", "r1", CancellationToken.None));
        Assert.True(await Store.RulesVersionAsync(CancellationToken.None) > afterSaves);
        Assert.Empty(await Store.ListRulesAsync("p1", CancellationToken.None));
    }

    [Fact]
    public async Task Deleting_a_rule_forgets_what_was_counted_for_it_and_keeps_its_alerts()
    {
        await Store.SaveRuleAsync(Rule("p1", "r1"), CancellationToken.None);
        await Store.SaveRuleAsync(Rule("p1", "r2"), CancellationToken.None);
        await Store.CountAsync([Hit("r1", "A", T0), Hit("r2", "A", T0)], CancellationToken.None);
        await Store.StartRunsAsync([new RuleRun("r1", "p1", "c1", T0, T0.AddMinutes(1)), new RuleRun("r2", "p1", "c2", T0, T0.AddMinutes(1))], CancellationToken.None);
        await Store.AddAsync(AlertLifecycle.Open(Alert("a1", "A"), silenced: false), CancellationToken.None);

        Assert.True(await Store.DeleteRuleAsync("p1", "r1", CancellationToken.None));

        Assert.Equal(0, await Store.SumAsync("r1", "A", T0, T0.AddMinutes(1), CancellationToken.None));
        Assert.Null(await Store.LastSeenAsync("r1", "A", CancellationToken.None));
        Assert.Empty(await Store.OverdueRunsAsync("r1", T0.AddHours(1), CancellationToken.None));
        Assert.Equal(1, await Store.SumAsync("r2", "A", T0, T0.AddMinutes(1), CancellationToken.None));
        Assert.Single(await Store.OverdueRunsAsync("r2", T0.AddHours(1), CancellationToken.None));
        // Alerts are history; resolving the open one is the lifecycle's decision, not the store's.
        Assert.Equal(["r1"], await Store.RulesWithOpenAlertsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task An_ending_that_found_no_run_ends_the_start_that_arrives_later_once()
    {
        var failed = new ContextEnding("p1", "c1", Failed: true, T0.AddMinutes(2));
        Assert.Empty(await Store.EndRunsAsync(failed, remember: true, CancellationToken.None));
        Assert.Empty(await Store.EndRunsAsync(new ContextEnding("p1", "c2", Failed: false, T0.AddMinutes(2)), remember: false, CancellationToken.None));

        var ended = await Store.StartRunsAsync(
            [new RuleRun("r1", "p1", "c1", T0, T0.AddMinutes(15)), new RuleRun("r2", "p1", "c1", T0, T0.AddMinutes(15)), new RuleRun("r1", "p1", "c2", T0, T0.AddMinutes(15))],
            CancellationToken.None);

        Assert.Equal(["r1", "r2"], ended.Select(e => e.Run.RuleId).Order());
        Assert.All(ended, e => Assert.Equal(failed, e.Ending));
        Assert.Empty(await Store.OverdueRunsAsync("r2", T0.AddHours(1), CancellationToken.None));
        // Not remembered: c2's run is watched, and its ending finds it.
        Assert.Equal("c2", Assert.Single(await Store.OverdueRunsAsync("r1", T0.AddHours(1), CancellationToken.None)).ContextId);
        // A later run reusing the context id is not ended by the earlier run's ending.
        Assert.Empty(await Store.StartRunsAsync([new RuleRun("r1", "p1", "c1", T0.AddHours(1), T0.AddHours(2))], CancellationToken.None));
        Assert.Equal(["c1", "c2"], (await Store.OverdueRunsAsync("r1", T0.AddHours(3), CancellationToken.None)).Select(r => r.ContextId).Order());
    }

    [Fact]
    public async Task Counts_sum_over_bucket_ranges_per_group_and_prune()
    {
        await Store.CountAsync(
            [
                Hit("r1", "A", T0), Hit("r1", "A", T0), Hit("r1", "A", T0.AddMinutes(1)), Hit("r1", "B", T0.AddMinutes(1)),
                Hit("r1", null, T0), Hit("r2", "A", T0),
            ],
            CancellationToken.None);

        Assert.Equal(3, await Store.SumAsync("r1", "A", T0, T0.AddMinutes(2), CancellationToken.None));
        Assert.Equal(1, await Store.SumAsync("r1", "A", T0.AddMinutes(1), T0.AddMinutes(2), CancellationToken.None));
        Assert.Equal(2, await Store.SumAsync("r1", "A", T0, T0.AddMinutes(1), CancellationToken.None)); // end exclusive
        Assert.Equal(1, await Store.SumAsync("r1", null, T0, T0.AddMinutes(2), CancellationToken.None));
        Assert.Equal(["A", "B"], (await Store.GroupsSeenAsync("r1", T0, CancellationToken.None)).Order());
        Assert.Equal(["A", "B"], (await Store.GroupsSeenAsync("r1", T0.AddMinutes(1), CancellationToken.None)).Order());

        await Store.PruneCountsAsync([("r1", T0.AddMinutes(1))], CancellationToken.None);
        Assert.Equal(1, await Store.SumAsync("r1", "A", T0, T0.AddMinutes(2), CancellationToken.None));
        Assert.Equal(1, await Store.SumAsync("r2", "A", T0, T0.AddMinutes(2), CancellationToken.None));
    }

    [Fact]
    public async Task Counters_of_two_replicas_add_up()
    {
        var replica = CreateStore();
        await Task.WhenAll(
            Task.Run(async () => { for (var i = 0; i < 40; i++) { await Store.CountAsync([Hit("r1", "A", T0), Hit("r1", "B", T0)], CancellationToken.None); } }),
            Task.Run(async () => { for (var i = 0; i < 40; i++) { await replica.CountAsync([Hit("r1", "A", T0)], CancellationToken.None); } }));

        Assert.Equal(80, await Store.SumAsync("r1", "A", T0, T0.AddMinutes(1), CancellationToken.None));
        Assert.Equal(40, await replica.SumAsync("r1", "B", T0, T0.AddMinutes(1), CancellationToken.None));
    }

    [Fact]
    public async Task An_event_that_comes_again_is_not_counted_again_even_by_two_replicas_at_once()
    {
        RuleHit[] batch = [Hit("r1", "A", T0, "e1"), Hit("r1", "A", T0, "e2"), Hit("r1", "B", T0, "e3"), Hit("r2", null, T0, "e1")];
        await Store.CountAsync(batch, CancellationToken.None);
        await Store.CountAsync(batch, CancellationToken.None); // the message delivered again
        await Store.CountAsync([Hit("r1", "A", T0, "e2"), Hit("r1", "A", T0, "e4")], CancellationToken.None); // e2 resent in another message
        await Store.PruneCountsAsync([], CancellationToken.None); // what was counted a moment ago is still remembered after the hourly pruning

        var replica = CreateStore();
        RuleHit[] other = [Hit("r1", "A", T0, "e5")];
        await Task.WhenAll(
            Task.Run(() => Store.CountAsync(batch, CancellationToken.None)),
            Task.Run(() => replica.CountAsync(other, CancellationToken.None)),
            Task.Run(() => Store.CountAsync(other, CancellationToken.None)),
            Task.Run(() => replica.CountAsync(batch, CancellationToken.None)));

        Assert.Equal(4, await Store.SumAsync("r1", "A", T0, T0.AddMinutes(1), CancellationToken.None));
        Assert.Equal(1, await Store.SumAsync("r1", "B", T0, T0.AddMinutes(1), CancellationToken.None));
        Assert.Equal(1, await replica.SumAsync("r2", null, T0, T0.AddMinutes(1), CancellationToken.None));
    }

    [Fact]
    public async Task Last_seen_keeps_the_latest_event_whatever_the_order()
    {
        await Store.CountAsync([Hit("r1", "A", T0.AddMinutes(5), "late")], CancellationToken.None);
        await Store.CountAsync([Hit("r1", "A", T0, "early")], CancellationToken.None);

        var last = await Store.LastSeenAsync("r1", "A", CancellationToken.None);
        Assert.Equal(("late", T0.AddMinutes(5)), (last!.EventId, last.Timestamp));
        Assert.Null(await Store.LastSeenAsync("r1", "B", CancellationToken.None));
    }

    [Fact]
    public async Task One_open_alert_per_rule_and_group_and_its_messages_are_queued_with_it()
    {
        Assert.True(await Store.AddAsync(AlertLifecycle.Open(Alert("a1", "A"), silenced: false), CancellationToken.None));
        Assert.False(await Store.AddAsync(AlertLifecycle.Open(Alert("a2", "A"), silenced: false), CancellationToken.None));
        Assert.True(await Store.AddAsync(AlertLifecycle.Open(Alert("a3", "B"), silenced: true), CancellationToken.None));

        Assert.True(await Store.UpdateAsync("a1", a => AlertLifecycle.Remind(a, T0.AddMinutes(30), silenced: false), CancellationToken.None)); // repeat
        Assert.True(await Store.UpdateAsync("a3", a => AlertLifecycle.Remind(a, T0.AddMinutes(30), silenced: false), CancellationToken.None)); // first telling, after a silence
        Assert.True(await Store.UpdateAsync("a1", a => AlertLifecycle.Resolve(a, T0.AddHours(1), new AlertEvidence("back")), CancellationToken.None));
        Assert.False(await Store.UpdateAsync("a1", a => AlertLifecycle.Resolve(a, T0.AddHours(2), new AlertEvidence("again")), CancellationToken.None)); // not open: nothing
        Assert.False(await Store.UpdateAsync("unknown", a => AlertLifecycle.Resolve(a, T0.AddHours(2), new AlertEvidence("none")), CancellationToken.None));
        Assert.True(await Store.AddAsync(AlertLifecycle.Open(Alert("a4", "A"), silenced: false), CancellationToken.None)); // A may open again

        var messages = await Store.PendingMessagesAsync(100, CancellationToken.None);
        string[] expected = ["AlertTriggered a1", "AlertRepeated a1", "AlertResolved a1", "AlertTriggered a3", "AlertTriggered a4"];
        Assert.Equal(expected.Order(), messages.Select(m => Describe(m.Message)).Order());
        await Store.RemoveMessagesAsync(messages.Select(m => m.Id).ToList(), CancellationToken.None);
        Assert.Empty(await Store.PendingMessagesAsync(100, CancellationToken.None));

        var open = await Store.OpenAlertsAsync("r1", CancellationToken.None);
        Assert.Equal(["a3", "a4"], open.Select(a => a.Alert.AlertId).Order());
        Assert.True(open.Single(a => a.Alert.AlertId == "a3").Notified);
        var a1 = Assert.Single((await Store.ListAlertsAsync("p1", AlertStatus.Resolved, null, 10, null, CancellationToken.None)).Alerts);
        Assert.Equal(("a1", true, T0.AddMinutes(30), T0.AddHours(1), "back"), (a1.Alert.AlertId, a1.Notified, a1.LastNotifiedAt, a1.ResolvedAt, a1.Resolution?.Summary));
    }

    [Fact]
    public async Task A_step_two_replicas_take_at_once_is_saved_once()
    {
        var replica = CreateStore();
        await Store.AddAsync(AlertLifecycle.Open(Alert("a1", "A"), silenced: false), CancellationToken.None);
        await Store.RemoveMessagesAsync((await Store.PendingMessagesAsync(100, CancellationToken.None)).Select(m => m.Id).ToList(), CancellationToken.None);

        var saved = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => (i % 2 == 0 ? Store : replica)
            .UpdateAsync("a1", a => AlertLifecycle.Resolve(a, T0.AddHours(1), new AlertEvidence($"by {i}")), CancellationToken.None))));

        Assert.Equal(1, saved.Count(s => s));
        Assert.Equal(["AlertResolved a1"], (await Store.PendingMessagesAsync(100, CancellationToken.None)).Select(m => Describe(m.Message)));
    }

    [Fact]
    public async Task Fired_alert_is_recorded_once_per_id()
    {
        Assert.True(await Store.AddAsync(AlertLifecycle.Fire(Alert("r1:e1", null), silenced: false), CancellationToken.None));
        Assert.False(await Store.AddAsync(AlertLifecycle.Fire(Alert("r1:e1", null), silenced: false), CancellationToken.None));
        Assert.True(await Store.AddAsync(AlertLifecycle.Fire(Alert("r1:e2", null), silenced: true), CancellationToken.None));

        var page = await Store.ListAlertsAsync("p1", AlertStatus.Fired, null, 10, null, CancellationToken.None);
        Assert.Equal(2, page.Alerts.Count);
        Assert.Single(await Store.PendingMessagesAsync(100, CancellationToken.None));
        Assert.Empty(await Store.RulesWithOpenAlertsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Alerts_list_newest_first_with_filters_and_a_cursor()
    {
        for (var i = 0; i < 5; i++)
        {
            await Store.AddAsync(AlertLifecycle.Open(Alert($"a{i}", $"g{i}") with { TriggeredAt = T0.AddMinutes(i) }, silenced: false), CancellationToken.None);
        }

        await Store.UpdateAsync("a1", a => AlertLifecycle.Resolve(a, T0.AddHours(1), new AlertEvidence("ok")), CancellationToken.None);
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await Store.ListAlertsAsync("p1", null, "r1", 2, cursor, CancellationToken.None);
            seen.AddRange(page.Alerts.Select(a => a.Alert.AlertId));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(["a4", "a3", "a2", "a1", "a0"], seen);
        var resolved = Assert.Single((await Store.ListAlertsAsync("p1", AlertStatus.Resolved, null, 10, null, CancellationToken.None)).Alerts);
        Assert.Equal(("a1", "ok", T0.AddHours(1)), (resolved.Alert.AlertId, resolved.Resolution!.Summary, resolved.ResolvedAt));
        Assert.Empty((await Store.ListAlertsAsync("p2", null, null, 10, null, CancellationToken.None)).Alerts);
    }

    [Fact]
    public async Task Silences_are_listed_while_active_and_end_on_request()
    {
        await Store.AddSilenceAsync(new Silence("s1", "p1", "r1", null, T0, T0.AddHours(1), "deploy", T0), CancellationToken.None);
        await Store.AddSilenceAsync(new Silence("s2", "p1", null, "A", T0, T0.AddMinutes(10), "paused", T0.AddSeconds(1)), CancellationToken.None);

        Assert.Equal(["s2", "s1"], (await Store.SilencesAsync("p1", activeOnly: true, T0.AddMinutes(5), CancellationToken.None)).Select(s => s.Id));
        Assert.Equal(["s1"], (await Store.SilencesAsync("p1", activeOnly: true, T0.AddMinutes(20), CancellationToken.None)).Select(s => s.Id));
        Assert.True(await Store.EndSilenceAsync("p1", "s1", T0.AddMinutes(30), CancellationToken.None));
        Assert.False(await Store.EndSilenceAsync("p1", "s1", T0.AddMinutes(31), CancellationToken.None));
        Assert.Empty(await Store.SilencesAsync("p1", activeOnly: true, T0.AddMinutes(31), CancellationToken.None));
        Assert.Equal(2, (await Store.SilencesAsync("p1", activeOnly: false, T0.AddMinutes(31), CancellationToken.None)).Count);
        Assert.Empty(await Store.SilencesAsync("p2", activeOnly: false, T0, CancellationToken.None));
    }

    private static string Describe(object message) => message switch
    {
        AlertTriggered t => $"AlertTriggered {t.Alert.AlertId}",
        AlertRepeated r => $"AlertRepeated {r.Alert.AlertId}",
        AlertResolved r => $"AlertResolved {r.Alert.AlertId}",
        _ => message.GetType().Name,
    };

    private static Rule Rule(string projectId, string id) =>
        new(id, projectId, new RuleDefinition("leads", RuleKinds.Volume, true, null, null, new VolumeSettings(1, null, 60, null, "campaignGroup", null), null, ["ops"], null), T0, T0);

    /// <summary>A hit of a new event of project p1 unless <paramref name="eventId"/> names one.</summary>
    private static RuleHit Hit(string ruleId, string? group, DateTimeOffset bucket, string? eventId = null) =>
        new(ruleId, "p1", group, bucket, eventId ?? Guid.NewGuid().ToString("N"), "lead created", bucket);

    private static AlertSnapshot Alert(string id, string? group) =>
        new(id, "p1", "r1", "leads", RuleKinds.Volume, group, new AlertEvidence("0 leads", 0, 60), ["ops"], T0);
}
