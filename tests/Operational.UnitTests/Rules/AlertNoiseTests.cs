using Operational.Contracts.Alerts;
using Operational.Rules.Alerts;

namespace Operational.UnitTests.Rules;

/// <summary>Noise control, escalation, acknowledgement, maintenance windows and dependencies, on a clock the test moves.</summary>
public sealed class AlertNoiseTests
{
    private static readonly DateTimeOffset Monday = new(2027, 1, 4, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_flapping_group_with_trigger_2_and_resolve_3_gives_one_alert_not_five()
    {
        await using var bed = await RuleTestBed.StartAsync(Monday);
        var rule = await bed.AddRuleAsync("""
            {"name":"leads","kind":"volume","match":{"name":{"equals":"lead"}},
             "volume":{"min":1,"windowSeconds":60,"groupBy":"g","schedule":{"cron":"* * * * *"}},
             "trigger":{"consecutive":2},"resolve":{"consecutive":3}}
            """);
        await bed.SendAsync(bed.Tagged("lead", "g", "A"));

        // bad, good, bad, good, bad, bad (opens), good, bad, good, good, good (resolves), bad, good
        foreach (var good in new[] { false, true, false, true, false, false, true, false, true, true, true, false, true })
        {
            bed.Clock.Advance(TimeSpan.FromSeconds(61));
            if (good)
            {
                await bed.SendAsync(bed.Tagged("lead", "g", "A"));
            }

            await bed.CheckAsync(rule);
        }

        var alert = Assert.Single(await bed.AlertsAsync());
        Assert.Equal(("A", AlertStatus.Resolved), (alert.Alert.Group, alert.Status));
        var messages = await bed.DrainMessagesAsync();
        Assert.Equal([typeof(AlertTriggered), typeof(AlertResolved)], messages.Select(m => m.GetType()));
    }

    [Fact]
    public async Task Without_noise_control_the_same_flapping_alerts_every_time()
    {
        await using var bed = await RuleTestBed.StartAsync(Monday);
        var rule = await bed.AddRuleAsync("""
            {"name":"leads","kind":"volume","match":{"name":{"equals":"lead"}},"volume":{"min":1,"windowSeconds":60,"groupBy":"g"}}
            """);
        await bed.SendAsync(bed.Tagged("lead", "g", "A"));
        foreach (var good in new[] { false, true, false, true, false, true, false, true, false, true })
        {
            bed.Clock.Advance(TimeSpan.FromSeconds(61));
            if (good)
            {
                await bed.SendAsync(bed.Tagged("lead", "g", "A"));
            }

            await bed.CheckAsync(rule);
        }

        Assert.Equal(5, (await bed.AlertsAsync()).Count);
    }

    [Fact]
    public async Task Two_of_the_last_three_checks_open_the_alert()
    {
        await using var bed = await RuleTestBed.StartAsync(Monday);
        var rule = await bed.AddRuleAsync("""{"name":"beat","kind":"heartbeat","heartbeat":{"periodSeconds":60,"graceSeconds":0},"trigger":{"of":{"n":2,"m":3}}}""");

        bed.Clock.Advance(TimeSpan.FromSeconds(61));
        await bed.CheckAsync(rule); // late: 1 of 1
        Assert.Empty(await bed.AlertsAsync());
        await bed.SendAsync(bed.Event("beat"));
        await bed.CheckAsync(rule); // good: 1 of 2
        Assert.Empty(await bed.AlertsAsync());
        bed.Clock.Advance(TimeSpan.FromSeconds(61));
        await bed.CheckAsync(rule); // late: 2 of 3

        Assert.Single(await bed.AlertsAsync(AlertStatus.Open));
    }

    [Fact]
    public async Task A_rate_threshold_alerts_when_5_percent_of_payment_events_are_errors()
    {
        await using var bed = await RuleTestBed.StartAsync(Monday);
        var rule = await bed.AddRuleAsync("""
            {"name":"payment errors","kind":"threshold","match":{"category":"payment"},
             "threshold":{"count":20,"windowSeconds":600,"rate":{"percent":5,"where":{"level":"error"}}}}
            """);
        IngestedEventShape payment = e => e with { Category = "payment" };

        await bed.SendAsync([.. Enumerable.Range(0, 39).Select(_ => bed.Event("charged", e => payment(e)))]);
        await bed.SendAsync(bed.Event("declined", e => payment(e) with { Level = "error" }));
        await bed.SendAsync(bed.Event("declined elsewhere", e => e with { Category = "shipping", Level = "error" }));
        Assert.Empty(await bed.AlertsAsync()); // 1 of 40: 2.5%

        await bed.SendAsync(bed.Event("declined", e => payment(e) with { Level = "error" }), bed.Event("declined", e => payment(e) with { Level = "error" }));

        var alert = Assert.Single(await bed.AlertsAsync(AlertStatus.Open)); // 3 of 42: 7.1%
        Assert.StartsWith("3 of 42 matching events", alert.Alert.Evidence.Summary, StringComparison.Ordinal);

        bed.Clock.Advance(TimeSpan.FromMinutes(11));
        await bed.CheckAsync(rule);
        Assert.Empty(await bed.AlertsAsync(AlertStatus.Open)); // the window emptied: fewer than 20 events
    }

    private delegate Operational.Contracts.Events.IngestedEvent IngestedEventShape(Operational.Contracts.Events.IngestedEvent e);

    [Fact]
    public async Task Escalation_fires_once_at_its_time_and_never_after_an_acknowledgement()
    {
        await using var bed = await RuleTestBed.StartAsync(Monday);
        var rule = await bed.AddRuleAsync("""
            {"name":"beat","kind":"heartbeat","heartbeat":{"periodSeconds":60,"graceSeconds":0},"channels":["ch_team"],
             "escalation":[{"afterSeconds":600,"channels":["ch_lead"]},{"afterSeconds":1800,"channels":["ch_cto"]}]}
            """);
        var other = await bed.AddRuleAsync("""
            {"name":"other","kind":"heartbeat","heartbeat":{"periodSeconds":60,"graceSeconds":0},
             "escalation":[{"afterSeconds":600,"channels":["ch_lead"]}]}
            """);

        bed.Clock.Advance(TimeSpan.FromSeconds(61));
        await bed.CheckAsync(rule);
        await bed.CheckAsync(other);
        var otherAlert = Assert.Single(await bed.AlertsAsync(AlertStatus.Open), a => a.Alert.RuleId == other.Id);
        Assert.True(await bed.Keeper.AcknowledgeAsync(otherAlert.Alert.AlertId, "key-1", bed.Now, CancellationToken.None));
        await bed.DrainMessagesAsync();

        var escalated = new List<AlertEscalated>();
        for (var minute = 1; minute <= 40; minute++)
        {
            bed.Clock.Advance(TimeSpan.FromMinutes(1));
            await bed.CheckAsync(rule);
            await bed.CheckAsync(other);
            escalated.AddRange((await bed.DrainMessagesAsync()).OfType<AlertEscalated>());
            if (minute == 9)
            {
                Assert.Empty(escalated);
            }
        }

        Assert.Equal([(1, "ch_lead"), (2, "ch_cto")], escalated.Select(e => (e.Step, e.Channels.Single())));
        Assert.All(escalated, e => Assert.Equal(rule.Id, e.Alert.RuleId));
        var acknowledged = Assert.Single(await bed.AlertsAsync(AlertStatus.Open), a => a.Alert.RuleId == other.Id);
        Assert.Equal(("key-1", 0), (acknowledged.Handled.AcknowledgedBy, acknowledged.Handled.Escalated));
    }

    [Fact]
    public async Task Acknowledging_stops_the_reminders_and_unacknowledging_resumes_them()
    {
        await using var bed = await RuleTestBed.StartAsync(Monday);
        var rule = await bed.AddRuleAsync("""{"name":"beat","kind":"heartbeat","heartbeat":{"periodSeconds":60,"graceSeconds":0},"repeatIntervalSeconds":300}""");
        bed.Clock.Advance(TimeSpan.FromSeconds(61));
        await bed.CheckAsync(rule);
        var alert = Assert.Single(await bed.AlertsAsync(AlertStatus.Open));
        await bed.Keeper.AcknowledgeAsync(alert.Alert.AlertId, "operator:ana", bed.Now, CancellationToken.None);
        await bed.DrainMessagesAsync();

        bed.Clock.Advance(TimeSpan.FromMinutes(20));
        await bed.CheckAsync(rule);
        Assert.Empty(await bed.DrainMessagesAsync());

        await bed.Keeper.UnacknowledgeAsync(alert.Alert.AlertId, CancellationToken.None);
        await bed.CheckAsync(rule);
        Assert.IsType<AlertRepeated>(Assert.Single(await bed.DrainMessagesAsync()));
    }

    [Fact]
    public async Task A_maintenance_window_holds_the_alert_and_it_is_sent_at_0300_local_after_the_autumn_change()
    {
        // Sunday 2027-10-31: Europe/Berlin repeats 02:00–03:00; the window runs 02:00 CEST to 03:00 CET (00:00–02:00 UTC).
        await using var bed = await RuleTestBed.StartAsync(new DateTimeOffset(2027, 10, 30, 23, 0, 0, TimeSpan.Zero));
        var rule = await bed.AddRuleAsync("""{"name":"beat","kind":"heartbeat","heartbeat":{"periodSeconds":600,"graceSeconds":0}}""");
        await bed.Store.AddSilenceAsync(new Silence("s1", RuleTestBed.Project, rule.Id, null, bed.Now, DateTimeOffset.MaxValue.AddDays(-1),
            "Sunday maintenance", bed.Now, "0 2 * * 0", "Europe/Berlin", 3600), CancellationToken.None);
        await bed.SendAsync(bed.Event("beat"));

        bed.Clock.SetUtcNow(new DateTimeOffset(2027, 10, 31, 0, 30, 0, TimeSpan.Zero)); // 02:30 CEST: late, inside the window
        await bed.CheckAsync(rule);
        Assert.Single(await bed.AlertsAsync(AlertStatus.Open));
        Assert.Empty(await bed.DrainMessagesAsync());

        bed.Clock.SetUtcNow(new DateTimeOffset(2027, 10, 31, 1, 59, 0, TimeSpan.Zero)); // 02:59 CET, the repeated hour
        await bed.CheckAsync(rule);
        Assert.Empty(await bed.DrainMessagesAsync());

        bed.Clock.SetUtcNow(new DateTimeOffset(2027, 10, 31, 2, 0, 0, TimeSpan.Zero)); // 03:00 CET
        await bed.CheckAsync(rule);
        Assert.IsType<AlertTriggered>(Assert.Single(await bed.DrainMessagesAsync()));
    }

    [Theory]
    [InlineData("2027-03-21T01:30:00Z", true)]   // the Sunday before the spring change: 02:30 CET
    [InlineData("2027-03-21T02:00:00Z", false)]  // 03:00 CET
    [InlineData("2027-03-28T00:59:00Z", false)]  // the change: 01:59 CET, before the skipped hour
    [InlineData("2027-03-28T01:30:00Z", true)]   // 03:30 CEST: the window starts when the clocks jump, and lasts its hour
    [InlineData("2027-03-28T02:00:00Z", false)]  // 04:00 CEST
    [InlineData("2027-04-04T00:30:00Z", true)]   // the Sunday after: 02:30 CEST
    [InlineData("2027-04-04T01:00:00Z", false)]  // 03:00 CEST
    [InlineData("2027-10-31T00:00:00Z", true)]   // the autumn change: 02:00 CEST
    [InlineData("2027-10-31T01:30:00Z", true)]   // 02:30 CET, the hour again
    [InlineData("2027-10-31T02:00:00Z", false)]  // 03:00 CET
    [InlineData("2027-11-07T01:59:00Z", true)]   // the Sunday after: 02:59 CET
    [InlineData("2027-11-08T01:30:00Z", false)]  // a Monday
    public void Sunday_0200_to_0300_Berlin_follows_the_wall_clock_across_both_changes(string at, bool covered)
    {
        var window = MaintenanceWindow.Of("0 2 * * 0", "Europe/Berlin", 3600)!;

        Assert.Equal(covered, window.Covers(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task A_dependent_rules_alert_is_suppressed_while_its_parents_is_open_and_sent_if_still_open_after()
    {
        await using var bed = await RuleTestBed.StartAsync(Monday);
        var database = await bed.AddRuleAsync("""{"name":"database","kind":"heartbeat","match":{"name":{"equals":"db up"}},"heartbeat":{"periodSeconds":60,"graceSeconds":0}}""");
        var api = await bed.AddRuleAsync($$"""
            {"name":"api","kind":"heartbeat","match":{"name":{"equals":"api up"} },"heartbeat":{"periodSeconds":60,"graceSeconds":0},"dependsOn":["{{database.Id}}"] }
            """);

        bed.Clock.Advance(TimeSpan.FromSeconds(61));
        await bed.CheckAsync(database);
        await bed.CheckAsync(api);
        var messages = await bed.DrainMessagesAsync();
        Assert.Equal([database.Id], messages.OfType<AlertTriggered>().Select(t => t.Alert.RuleId));
        var suppressed = Assert.Single(await bed.AlertsAsync(AlertStatus.Open), a => a.Alert.RuleId == api.Id);
        Assert.Equal((false, database.Id), (suppressed.Notified, suppressed.Handled.SuppressedBy));

        await bed.SendAsync(bed.Event("db up"));
        bed.Clock.Advance(TimeSpan.FromSeconds(30));
        await bed.CheckAsync(database);
        await bed.CheckAsync(api);

        var after = await bed.DrainMessagesAsync();
        Assert.Contains(after, m => m is AlertResolved r && r.Alert.RuleId == database.Id);
        Assert.Contains(after, m => m is AlertTriggered t && t.Alert.RuleId == api.Id);
    }
}
