using Operational.Contracts.Alerts;
using Operational.Rules.Alerts;

namespace Operational.UnitTests.Rules;

/// <summary>The alert state machine on its own: every step, every message, every silence, no store.</summary>
public sealed class AlertLifecycleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
    private static readonly AlertSnapshot Snapshot = new("a1", "p1", "r1", "leads", "volume", "A", new AlertEvidence("0 leads"), ["ch_1"], T0);
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    [Fact]
    public void Open_tells_the_channels_and_starts_the_repeat_clock()
    {
        var change = AlertLifecycle.Open(Snapshot, silenced: false);

        Assert.Equal(new AlertRecord(Snapshot, AlertStatus.Open, Notified: true, LastNotifiedAt: T0, ResolvedAt: null, Resolution: null), change.Record);
        Assert.Equal([new AlertTriggered(Snapshot)], change.Messages);
    }

    [Fact]
    public void Open_under_a_silence_is_quiet_and_remembers_nobody_was_told()
    {
        var change = AlertLifecycle.Open(Snapshot, silenced: true);

        Assert.Equal((AlertStatus.Open, false), (change.Record.Status, change.Record.Notified));
        Assert.Empty(change.Messages);
    }

    [Fact]
    public void Fire_records_an_alert_without_duration_told_unless_silenced()
    {
        var told = AlertLifecycle.Fire(Snapshot, silenced: false);
        var quiet = AlertLifecycle.Fire(Snapshot, silenced: true);

        Assert.Equal((AlertStatus.Fired, true), (told.Record.Status, told.Record.Notified));
        Assert.Equal([new AlertTriggered(Snapshot) { Fired = true }], told.Messages); // nothing to acknowledge: no link
        Assert.Equal((AlertStatus.Fired, false), (quiet.Record.Status, quiet.Record.Notified));
        Assert.Empty(quiet.Messages);
    }

    [Fact]
    public void Remind_of_a_told_alert_repeats_and_moves_the_repeat_clock()
    {
        var open = AlertLifecycle.Open(Snapshot, silenced: false).Record;

        var change = AlertLifecycle.Remind(open, T0 + Hour, silenced: false)!;

        Assert.Equal(open with { LastNotifiedAt = T0 + Hour }, change.Record);
        Assert.Equal([new AlertRepeated(Snapshot, T0 + Hour)], change.Messages);
    }

    [Fact]
    public void Remind_after_a_silence_ended_tells_the_channels_for_the_first_time()
    {
        var quiet = AlertLifecycle.Open(Snapshot, silenced: true).Record;

        var change = AlertLifecycle.Remind(quiet, T0 + Hour, silenced: false)!;

        Assert.Equal((true, T0 + Hour), (change.Record.Notified, change.Record.LastNotifiedAt));
        Assert.Equal([new AlertTriggered(Snapshot)], change.Messages);
    }

    [Fact]
    public void Remind_under_a_silence_or_of_an_alert_no_longer_open_does_nothing()
    {
        var open = AlertLifecycle.Open(Snapshot, silenced: false).Record;
        var resolved = AlertLifecycle.Resolve(open, T0 + Hour, new AlertEvidence("back"))!.Record;
        var fired = AlertLifecycle.Fire(Snapshot, silenced: false).Record;

        Assert.Null(AlertLifecycle.Remind(open, T0 + Hour, silenced: true));
        Assert.Null(AlertLifecycle.Remind(resolved, T0 + (2 * Hour), silenced: false));
        Assert.Null(AlertLifecycle.Remind(fired, T0 + Hour, silenced: false));
    }

    [Fact]
    public void Resolve_of_a_told_alert_closes_it_and_tells_the_channels()
    {
        var open = AlertLifecycle.Open(Snapshot, silenced: false).Record;
        var evidence = new AlertEvidence("3 leads", 3);

        var change = AlertLifecycle.Resolve(open, T0 + Hour, evidence)!;

        Assert.Equal(open with { Status = AlertStatus.Resolved, ResolvedAt = T0 + Hour, Resolution = evidence }, change.Record);
        Assert.Equal([new AlertResolved(Snapshot, T0 + Hour, evidence)], change.Messages);
    }

    [Fact]
    public void Resolve_of_an_alert_nobody_was_told_of_stays_unheard()
    {
        var quiet = AlertLifecycle.Open(Snapshot, silenced: true).Record;

        var change = AlertLifecycle.Resolve(quiet, T0 + Hour, new AlertEvidence("back"))!;

        Assert.Equal(AlertStatus.Resolved, change.Record.Status);
        Assert.Empty(change.Messages);
    }

    [Fact]
    public void Resolve_of_an_alert_that_is_not_open_does_nothing()
    {
        var resolved = AlertLifecycle.Resolve(AlertLifecycle.Open(Snapshot, silenced: false).Record, T0 + Hour, new AlertEvidence("back"))!.Record;

        Assert.Null(AlertLifecycle.Resolve(resolved, T0 + (2 * Hour), new AlertEvidence("again")));
        Assert.Null(AlertLifecycle.Resolve(AlertLifecycle.Fire(Snapshot, silenced: false).Record, T0 + Hour, new AlertEvidence("fired")));
    }

    [Fact]
    public void Deleting_the_rule_resolves_its_open_alert_saying_so()
    {
        var open = AlertLifecycle.Open(Snapshot, silenced: false).Record;

        var change = AlertLifecycle.RuleWasDeleted(open, T0 + Hour)!;

        Assert.Equal((AlertStatus.Resolved, "The rule was deleted."), (change.Record.Status, change.Record.Resolution!.Summary));
        Assert.Equal([new AlertResolved(Snapshot, T0 + Hour, AlertLifecycle.RuleDeleted)], change.Messages);
        Assert.Empty(AlertLifecycle.RuleWasDeleted(AlertLifecycle.Open(Snapshot, silenced: true).Record, T0 + Hour)!.Messages);
        Assert.Null(AlertLifecycle.RuleWasDeleted(change.Record, T0 + (2 * Hour)));
    }

    [Theory]
    [InlineData(false, false, null, 0, AlertStep.None)] // quiet, and nothing open
    [InlineData(true, false, null, 0, AlertStep.Open)] // the condition starts to hold
    [InlineData(false, true, null, 0, AlertStep.Resolve)] // it stopped holding
    [InlineData(true, true, null, 120, AlertStep.None)] // open, told, no repeat interval
    [InlineData(true, true, 60, 59, AlertStep.None)] // open, told, repeat not due yet
    [InlineData(true, true, 60, 60, AlertStep.Remind)] // repeat due
    public void Settle_picks_the_step_for_the_condition(bool violated, bool alertOpen, int? repeatMinutes, int minutesSinceTold, AlertStep expected)
    {
        var open = alertOpen ? AlertLifecycle.Open(Snapshot, silenced: false).Record : null;
        var repeat = repeatMinutes is { } m ? TimeSpan.FromMinutes(m) : (TimeSpan?)null;

        Assert.Equal(expected, AlertLifecycle.Settle(open, violated, repeat, T0.AddMinutes(minutesSinceTold)));
    }

    [Fact]
    public void Settle_reminds_an_alert_opened_under_a_silence_at_once_whatever_the_repeat_interval()
    {
        var quiet = AlertLifecycle.Open(Snapshot, silenced: true).Record;

        Assert.Equal(AlertStep.Remind, AlertLifecycle.Settle(quiet, violated: true, repeatInterval: null, T0.AddMinutes(1)));
    }

    [Fact]
    public void A_whole_life_opened_under_a_silence_told_when_it_ends_repeated_then_resolved()
    {
        var opened = AlertLifecycle.Open(Snapshot, silenced: true);
        var told = AlertLifecycle.Remind(opened.Record, T0.AddMinutes(10), silenced: false)!;
        var repeated = AlertLifecycle.Remind(told.Record, T0.AddMinutes(70), silenced: false)!;
        var resolved = AlertLifecycle.Resolve(repeated.Record, T0.AddMinutes(80), new AlertEvidence("back"))!;

        var messages = new[] { opened, told, repeated, resolved }.SelectMany(c => c.Messages).Select(m => m.GetType().Name);
        Assert.Equal(["AlertTriggered", "AlertRepeated", "AlertResolved"], messages);
    }
}
