using Operational.Contracts.Alerts;
using Operational.Contracts.Events;
using Operational.Rules.Alerts;
using Operational.Rules.Checks;
using Operational.Rules.Definitions;

namespace Operational.UnitTests.Rules;

/// <summary>Every rule kind, driven by a fake clock: time is moved, never waited for.</summary>
public sealed class RuleKindTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Match_rule_fires_once_per_matching_event()
    {
        await using var bed = await RuleTestBed.StartAsync(T0);
        await bed.AddRuleAsync("""{"name":"payment failed","kind":"match","match":{"name":{"prefix":"payment"},"level":"error","tags":{"plan":"pro"}},"channels":["ops"]}""");
        var failed = bed.Tagged("payment failed", "plan", "pro") with { Level = EventLevels.Error };

        await bed.SendAsync(failed, bed.Tagged("payment failed", "plan", "free") with { Level = EventLevels.Error }, bed.Event("payment ok"));
        await bed.SendAsync(failed); // redelivered

        var alert = Assert.Single(await bed.AlertsAsync());
        Assert.Equal((AlertStatus.Fired, failed.Id), (alert.Status, alert.Alert.Evidence.LastEventId));
        Assert.Equal(["ops"], alert.Alert.Channels);
        Assert.IsType<AlertTriggered>(Assert.Single(await bed.DrainMessagesAsync()));
    }

    [Fact]
    public async Task Test_and_backfilled_events_never_match_unless_test_is_asked_for()
    {
        await using var bed = await RuleTestBed.StartAsync(T0);
        await bed.AddRuleAsync("""{"name":"any","kind":"match"}""");
        var tests = await bed.AddRuleAsync("""{"name":"tests too","kind":"match","match":{"includeTest":true}}""");

        await bed.SendAsync(bed.Event("history") with { Backfilled = true }, bed.Event("trial") with { Test = true });

        Assert.Equal([tests.Id], (await bed.AlertsAsync()).Select(a => a.Alert.RuleId));
    }

    [Fact]
    public async Task Threshold_opens_when_reached_in_the_window_repeats_and_resolves_when_it_drains()
    {
        await using var bed = await RuleTestBed.StartAsync(T0);
        var rule = await bed.AddRuleAsync("""{"name":"login failures","kind":"threshold","match":{"name":{"equals":"login failed"}},"threshold":{"count":3,"windowSeconds":600},"repeatIntervalSeconds":300}""");

        await bed.SendAsync(bed.Event("login failed"), bed.Event("login failed"));
        bed.Clock.Advance(TimeSpan.FromMinutes(11)); // the first two leave the window
        await bed.SendAsync(bed.Event("login failed"), bed.Event("login failed"));
        Assert.Empty(await bed.AlertsAsync());

        bed.Clock.Advance(TimeSpan.FromMinutes(1));
        await bed.SendAsync(bed.Event("login failed"));
        var open = Assert.Single(await bed.AlertsAsync(AlertStatus.Open));
        Assert.Equal(3, open.Alert.Evidence.Count);

        await bed.SendAsync(bed.Event("login failed")); // still open: one alert, not two
        bed.Clock.Advance(TimeSpan.FromMinutes(5));
        await bed.CheckAsync(rule);
        bed.Clock.Advance(TimeSpan.FromMinutes(6)); // the window has drained
        await bed.CheckAsync(rule);

        Assert.Equal(AlertStatus.Resolved, Assert.Single(await bed.AlertsAsync()).Status);
        Assert.Equal([typeof(AlertTriggered), typeof(AlertRepeated), typeof(AlertResolved)], (await bed.DrainMessagesAsync()).Select(m => m.GetType()));
    }

    [Fact]
    public async Task Volume_rule_alerts_the_group_that_goes_silent_and_resolves_when_it_returns()
    {
        await using var bed = await RuleTestBed.StartAsync(T0);
        var rule = await bed.AddRuleAsync("""
            {"name":"leads per campaign group","kind":"volume","match":{"name":{"equals":"lead created"}},
             "volume":{"min":1,"windowSeconds":60,"groupBy":"campaignGroup"}}
            """);

        foreach (var group in new[] { "A", "B", "C" })
        {
            await bed.SendAsync(bed.Tagged("lead created", "campaignGroup", group));
        }

        for (var minute = 0; minute < 3; minute++)
        {
            bed.Clock.Advance(TimeSpan.FromSeconds(45));
            await bed.SendAsync(bed.Tagged("lead created", "campaignGroup", "A"), bed.Tagged("lead created", "campaignGroup", "B"));
            await bed.CheckAsync(rule);
        }

        var open = Assert.Single(await bed.AlertsAsync(AlertStatus.Open));
        Assert.Equal("C", open.Alert.Group);
        Assert.Equal(0, open.Alert.Evidence.Count);

        await bed.SendAsync(bed.Tagged("lead created", "campaignGroup", "C"));
        await bed.CheckAsync(rule);

        Assert.Empty(await bed.AlertsAsync(AlertStatus.Open));
        var messages = await bed.DrainMessagesAsync();
        Assert.Equal([typeof(AlertTriggered), typeof(AlertResolved)], messages.Select(m => m.GetType()));
        Assert.All(messages, m => Assert.Equal("C", RuleTestBed.Group(m)));
    }

    [Fact]
    public async Task Volume_rule_with_a_max_alerts_on_too_many()
    {
        await using var bed = await RuleTestBed.StartAsync(T0);
        var rule = await bed.AddRuleAsync("""{"name":"signup burst","kind":"volume","match":{"name":{"equals":"signup"}},"volume":{"min":0,"max":2,"windowSeconds":300}}""");

        await bed.SendAsync(bed.Event("signup"), bed.Event("signup"));
        await bed.CheckAsync(rule);
        Assert.Empty(await bed.AlertsAsync());

        await bed.SendAsync(bed.Event("signup"));
        await bed.CheckAsync(rule);
        Assert.Equal(3, Assert.Single(await bed.AlertsAsync(AlertStatus.Open)).Alert.Evidence.Count);
    }

    [Fact]
    public async Task Heartbeat_with_a_period_alerts_when_late_and_the_next_event_resolves_it()
    {
        await using var bed = await RuleTestBed.StartAsync(T0);
        var rule = await bed.AddRuleAsync("""{"name":"backup ran","kind":"heartbeat","match":{"name":{"equals":"backup done"}},"heartbeat":{"periodSeconds":3600,"graceSeconds":300}}""");
        await bed.SendAsync(bed.Event("backup done"));

        bed.Clock.Advance(TimeSpan.FromMinutes(65));
        await bed.CheckAsync(rule);
        Assert.Empty(await bed.AlertsAsync());

        bed.Clock.Advance(TimeSpan.FromSeconds(1));
        await bed.CheckAsync(rule);
        Assert.Single(await bed.AlertsAsync(AlertStatus.Open));

        await bed.SendAsync(bed.Event("backup done"));
        Assert.Equal(AlertStatus.Resolved, Assert.Single(await bed.AlertsAsync()).Status);
    }

    /// <summary>
    /// Europe/Berlin leaves winter time on 2026-03-29: a job expected at 09:00 local runs at 08:00
    /// UTC on Saturday and at 07:00 UTC on Sunday. The heartbeat follows the wall clock.
    /// </summary>
    [Fact]
    public async Task Heartbeat_on_a_cron_schedule_follows_the_wall_clock_across_a_daylight_saving_change()
    {
        var saturday = new DateTimeOffset(2026, 3, 28, 8, 0, 0, TimeSpan.Zero); // 09:00 CET
        await using var bed = await RuleTestBed.StartAsync(saturday.AddMinutes(-1));
        var rule = await bed.AddRuleAsync("""
            {"name":"daily report","kind":"heartbeat","match":{"name":{"equals":"report sent"}},
             "heartbeat":{"schedule":{"cron":"0 9 * * *","timeZone":"Europe/Berlin"},"graceSeconds":600}}
            """);
        bed.Clock.SetUtcNow(saturday);
        await bed.SendAsync(bed.Event("report sent"));

        var sunday = new DateTimeOffset(2026, 3, 29, 7, 0, 0, TimeSpan.Zero); // 09:00 CEST
        Assert.Equal(sunday.AddMinutes(10), RuleChecks.HeartbeatDeadline(rule, await bed.Store.LastSeenAsync(rule.Id, null, CancellationToken.None)));

        bed.Clock.SetUtcNow(sunday.AddMinutes(10));
        await bed.CheckAsync(rule);
        Assert.Empty(await bed.AlertsAsync());

        bed.Clock.SetUtcNow(sunday.AddMinutes(11)); // 24 hours after Saturday's would still be 49 minutes away
        await bed.CheckAsync(rule);
        Assert.Single(await bed.AlertsAsync(AlertStatus.Open));
    }

    [Fact]
    public async Task Deleting_a_rule_resolves_its_open_alerts()
    {
        await using var bed = await RuleTestBed.StartAsync(T0);
        var rule = await bed.AddRuleAsync("""{"name":"quiet","kind":"volume","volume":{"min":1,"windowSeconds":60}}""");
        await bed.CheckAsync(rule);
        Assert.Single(await bed.AlertsAsync(AlertStatus.Open));

        Assert.IsType<RuleOutcome.Deleted>(await bed.Rules.DeleteAsync(RuleTestBed.Project, rule.Id, CancellationToken.None));

        var resolved = Assert.Single(await bed.AlertsAsync());
        Assert.Equal(AlertStatus.Resolved, resolved.Status);
        Assert.Equal("The rule was deleted.", resolved.Resolution!.Summary);
        Assert.Equal(["AlertTriggered", "AlertResolved"], (await bed.DrainMessagesAsync()).Select(m => m.GetType().Name));
        Assert.IsType<RuleOutcome.NotFound>(await bed.Rules.DeleteAsync(RuleTestBed.Project, rule.Id, CancellationToken.None));
    }

    [Fact]
    public async Task An_alert_left_open_by_a_rule_deleted_halfway_is_resolved_by_the_next_sync()
    {
        await using var bed = await RuleTestBed.StartAsync(T0);
        var rule = await bed.AddRuleAsync("""{"name":"quiet","kind":"volume","volume":{"min":1,"windowSeconds":60}}""");
        await bed.CheckAsync(rule);
        // The rule is gone but the process stopped before its alerts were resolved.
        Assert.True(await bed.Store.DeleteRuleAsync(RuleTestBed.Project, rule.Id, CancellationToken.None));
        bed.Book.Invalidate();
        Assert.Single(await bed.AlertsAsync(AlertStatus.Open));

        await bed.Rules.SyncAsync(CancellationToken.None);

        Assert.Equal("The rule was deleted.", Assert.Single(await bed.AlertsAsync(AlertStatus.Resolved)).Resolution!.Summary);
    }

    /// <summary>A replica's rule book may be up to RuleBook.RefreshInterval behind; its sync must not take that for "the rule is gone".</summary>
    [Fact]
    public async Task A_sync_whose_book_is_behind_another_replica_keeps_the_check_of_the_rule_just_created_there()
    {
        await using var bed = await RuleTestBed.StartAsync(T0);
        await bed.Book.CurrentAsync(CancellationToken.None); // no rules, and fresh for RefreshInterval on this replica
        var created = Assert.IsType<RuleOutcome.Saved>(await bed.Replica().CreateAsync(RuleTestBed.Project,
            RuleTestBed.Definition("""{"name":"backup","kind":"heartbeat","match":{"name":{"equals":"backup done"}},"heartbeat":{"periodSeconds":3600}}"""),
            forwardedIdentity: null, CancellationToken.None));

        Assert.Equal(0, await bed.Rules.SyncAsync(CancellationToken.None));
        Assert.NotNull(bed.Schedules.Job(created.Rule.Id));

        Assert.True(await bed.Store.DeleteRuleAsync(RuleTestBed.Project, created.Rule.Id, CancellationToken.None));
        Assert.Equal(1, await bed.Rules.SyncAsync(CancellationToken.None)); // really gone: its check goes
        Assert.Null(bed.Schedules.Job(created.Rule.Id));
    }

    [Fact]
    public async Task Silenced_group_opens_its_alert_quietly_and_is_told_when_the_silence_ends()
    {
        await using var bed = await RuleTestBed.StartAsync(T0);
        var rule = await bed.AddRuleAsync("""{"name":"leads","kind":"volume","volume":{"min":1,"windowSeconds":60,"groupBy":"campaignGroup"}}""");
        await bed.SendAsync(bed.Tagged("lead", "campaignGroup", "A"), bed.Tagged("lead", "campaignGroup", "B"));
        await bed.Store.AddSilenceAsync(new Silence("s1", RuleTestBed.Project, rule.Id, "A", T0, T0.AddMinutes(10), "campaign A paused", T0), CancellationToken.None);

        bed.Clock.Advance(TimeSpan.FromMinutes(2));
        await bed.CheckAsync(rule);

        var alerts = await bed.AlertsAsync(AlertStatus.Open);
        Assert.Equal(2, alerts.Count);
        Assert.False(alerts.Single(a => a.Alert.Group == "A").Notified);
        Assert.Equal(["B"], (await bed.DrainMessagesAsync()).Select(RuleTestBed.Group));

        bed.Clock.Advance(TimeSpan.FromMinutes(9)); // the silence has ended, A is still silent
        await bed.CheckAsync(rule);
        var told = Assert.IsType<AlertTriggered>(Assert.Single(await bed.DrainMessagesAsync()));
        Assert.Equal("A", told.Alert.Group);
    }

    [Fact]
    public async Task Alert_raised_and_resolved_under_a_silence_tells_nobody()
    {
        await using var bed = await RuleTestBed.StartAsync(T0);
        await bed.AddRuleAsync("""{"name":"errors","kind":"match","match":{"level":"error"}}""");
        var rule = await bed.AddRuleAsync("""{"name":"quiet","kind":"volume","volume":{"min":1,"windowSeconds":60}}""");
        await bed.Store.AddSilenceAsync(new Silence("s1", RuleTestBed.Project, null, null, T0, T0.AddHours(1), "maintenance", T0) with { RuleId = rule.Id }, CancellationToken.None);

        await bed.CheckAsync(rule);
        await bed.SendAsync(bed.Event("tick"));
        bed.Clock.Advance(TimeSpan.FromSeconds(1));
        await bed.CheckAsync(rule);
        await bed.SendAsync(bed.Event("boom") with { Level = EventLevels.Error }); // another rule: not silenced

        Assert.Equal(AlertStatus.Resolved, (await bed.AlertsAsync()).Single(a => a.Alert.RuleId == rule.Id).Status);
        var message = Assert.IsType<AlertTriggered>(Assert.Single(await bed.DrainMessagesAsync()));
        Assert.Equal("errors", message.Alert.RuleName);
    }

    [Fact]
    public async Task Heartbeat_with_a_maximum_run_time_alerts_an_overrun_and_the_run_end_resolves_it()
    {
        await using var bed = await RuleTestBed.StartAsync(T0);
        var rule = await bed.AddRuleAsync("""
            {"name":"nightly import","kind":"heartbeat","match":{"name":{"equals":"import started"}},
             "heartbeat":{"periodSeconds":86400,"graceSeconds":600,"maxRunSeconds":900}}
            """);
        await bed.SendAsync(bed.Event("import started", e => e with { ContextId = "run-1", ContextStart = true }));
        await bed.SendAsync(bed.Event("import started", e => e with { ContextId = "run-2", ContextStart = true }));

        bed.Clock.Advance(TimeSpan.FromSeconds(900));
        await bed.CheckAsync(rule);
        Assert.Empty(await bed.AlertsAsync());
        Assert.False(await bed.Runs.EndedAsync(Context("run-2", T0, T0.AddSeconds(890)), failed: false, bed.Now, CancellationToken.None)); // in time

        bed.Clock.Advance(TimeSpan.FromSeconds(1));
        await bed.CheckAsync(rule);
        var overrun = Assert.Single(await bed.AlertsAsync(AlertStatus.Open));
        Assert.Equal("run-1", overrun.Alert.Group);

        bed.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.True(await bed.Runs.EndedAsync(Context("run-1", T0, bed.Now), failed: false, bed.Now, CancellationToken.None));
        Assert.Equal(AlertStatus.Resolved, Assert.Single(await bed.AlertsAsync()).Status);
        await bed.CheckAsync(rule);
        Assert.Empty(await bed.AlertsAsync(AlertStatus.Open));
    }

    [Fact]
    public async Task Failed_run_fires_an_alert()
    {
        await using var bed = await RuleTestBed.StartAsync(T0);
        await bed.AddRuleAsync("""{"name":"import","kind":"heartbeat","match":{"name":{"equals":"import started"}},"heartbeat":{"periodSeconds":3600,"maxRunSeconds":900}}""");
        await bed.SendAsync(bed.Event("import started", e => e with { ContextId = "run-1", ContextStart = true }));

        await bed.Runs.EndedAsync(Context("run-1", T0, T0.AddMinutes(2)), failed: true, bed.Now, CancellationToken.None);
        await bed.Runs.EndedAsync(Context("run-1", T0, T0.AddMinutes(2)), failed: true, bed.Now, CancellationToken.None); // announced twice

        var fired = Assert.Single(await bed.AlertsAsync());
        Assert.Equal((AlertStatus.Fired, "run-1"), (fired.Status, fired.Alert.Group));
        Assert.Contains("failed after 120 s", fired.Alert.Evidence.Summary, StringComparison.Ordinal);
    }

    /// <summary>The contexts service's announcement travels on another queue than the start event, and may overtake it.</summary>
    [Fact]
    public async Task Run_end_announced_before_its_start_event_arrived_settles_the_run_instead_of_watching_it()
    {
        await using var bed = await RuleTestBed.StartAsync(T0);
        var rule = await bed.AddRuleAsync("""{"name":"import","kind":"heartbeat","match":{"name":{"equals":"import started"}},"heartbeat":{"periodSeconds":3600,"maxRunSeconds":900}}""");

        Assert.False(await bed.Runs.EndedAsync(Context("run-1", T0, T0.AddMinutes(2)), failed: true, bed.Now, CancellationToken.None));
        Assert.False(await bed.Runs.EndedAsync(Context("run-2", T0, T0.AddMinutes(3)), failed: false, bed.Now, CancellationToken.None));
        await bed.SendAsync(bed.Event("import started", e => e with { ContextId = "run-1", ContextStart = true }));
        await bed.SendAsync(bed.Event("import started", e => e with { ContextId = "run-2", ContextStart = true }));

        var fired = Assert.Single(await bed.AlertsAsync());
        Assert.Equal((AlertStatus.Fired, "run-1"), (fired.Status, fired.Alert.Group));
        Assert.Contains("failed after 120 s", fired.Alert.Evidence.Summary, StringComparison.Ordinal);
        bed.Clock.Advance(TimeSpan.FromHours(1));
        await bed.CheckAsync(rule);
        Assert.Empty(await bed.AlertsAsync(AlertStatus.Open)); // neither run is taken for one still running
    }

    private static Operational.Contracts.Contexts.ContextSnapshot Context(string contextId, DateTimeOffset first, DateTimeOffset last) =>
        new(RuleTestBed.Project, contextId, "import started", null, null, first, last, 2, new(2, 0, 0, 0), Test: false);
}
