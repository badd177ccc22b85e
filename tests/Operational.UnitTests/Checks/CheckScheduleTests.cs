using Operational.Contracts.Alerts;
using Operational.Contracts.Checks;
using Operational.Gateway.Pings;
using Operational.Rules.Definitions;
using Operational.Rules.JobChecks;
using Operational.UnitTests.Rules;

namespace Operational.UnitTests.Checks;

/// <summary>Job checks on the rules' heartbeat machinery, on a clock the test moves.</summary>
public sealed class CheckScheduleTests
{
    /// <summary>
    /// Europe/Berlin leaves winter time on 2027-03-28 at 02:00: the 03:00 run that day is at 01:00
    /// UTC, an hour earlier than the day before, and the check goes down at 03:10 local all the same.
    /// </summary>
    [Fact]
    public async Task Cron_check_goes_down_at_0310_local_across_the_March_change_with_the_last_runs_output()
    {
        await using var bed = await RuleTestBed.StartAsync(new DateTimeOffset(2027, 3, 26, 12, 0, 0, TimeSpan.Zero));
        var checks = Checks(bed);
        var id = await CreateAsync(checks, new CheckRequest("Backup", null, null, "0 3 * * *", "Europe/Berlin", 600, null, null, null, null, null));

        bed.Clock.SetUtcNow(new DateTimeOffset(2027, 3, 27, 2, 0, 5, TimeSpan.Zero)); // 03:00:05 CET
        await PingAsync(bed, checks, id, PingSignals.Success, "backup ok: 3.2 GB");
        await bed.DrainMessagesAsync();

        bed.Clock.SetUtcNow(new DateTimeOffset(2027, 3, 28, 1, 9, 59, TimeSpan.Zero)); // 03:09:59 CEST
        await bed.CheckAsync(await RuleAsync(bed, id));
        Assert.Empty(await bed.AlertsAsync("open"));
        Assert.Equal(CheckStatuses.Grace, (await checks.GetAsync(RuleTestBed.Project, id, CancellationToken.None))!.Status);

        bed.Clock.SetUtcNow(new DateTimeOffset(2027, 3, 28, 1, 10, 1, TimeSpan.Zero)); // 03:10:01 CEST
        await bed.CheckAsync(await RuleAsync(bed, id));

        var triggered = Assert.IsType<AlertTriggered>(Assert.Single(await bed.DrainMessagesAsync()));
        Assert.Equal("backup ok: 3.2 GB", triggered.Alert.Evidence.Output);
        Assert.NotNull(triggered.Alert.Evidence.ContextId);
        Assert.Equal(CheckStatuses.Down, (await checks.GetAsync(RuleTestBed.Project, id, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task A_failure_stays_down_through_the_scheduled_checks_until_a_success()
    {
        await using var bed = await RuleTestBed.StartAsync(new DateTimeOffset(2027, 1, 4, 9, 0, 0, TimeSpan.Zero));
        var checks = Checks(bed);
        var id = await CreateAsync(checks, new CheckRequest("Backup", null, 3600, null, null, 600, null, null, null, null, null));
        await PingAsync(bed, checks, id, PingSignals.Fail, "disk full");

        bed.Clock.Advance(TimeSpan.FromMinutes(1));
        await bed.CheckAsync(await RuleAsync(bed, id));

        var failed = Assert.Single(await bed.AlertsAsync("open"));
        Assert.Equal("disk full", failed.Alert.Evidence.Output);
        Assert.Equal(CheckStatuses.Down, (await checks.GetAsync(RuleTestBed.Project, id, CancellationToken.None))!.Status);

        await PingAsync(bed, checks, id, PingSignals.Success, "ok");
        Assert.Empty(await bed.AlertsAsync("open"));
        Assert.Equal(CheckStatuses.Up, (await checks.GetAsync(RuleTestBed.Project, id, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task A_silence_by_tag_keeps_the_tagged_checks_quiet_and_no_other()
    {
        await using var bed = await RuleTestBed.StartAsync(new DateTimeOffset(2027, 1, 4, 9, 0, 0, TimeSpan.Zero));
        var checks = Checks(bed);
        var tagged = await CreateAsync(checks, new CheckRequest("Backup", null, 3600, null, null, 600, null, null, ["backups"], null, null));
        var other = await CreateAsync(checks, new CheckRequest("Import", null, 3600, null, null, 600, null, null, ["etl"], null, null));
        await bed.Store.AddSilenceAsync(new Operational.Rules.Alerts.Silence("s1", RuleTestBed.Project, null, null, bed.Now, bed.Now.AddDays(1),
            "backup host migration", bed.Now, Tag: "backups"), CancellationToken.None);

        await PingAsync(bed, checks, tagged, PingSignals.Fail, "no space");
        await PingAsync(bed, checks, other, PingSignals.Fail, "timeout");

        var told = (await bed.DrainMessagesAsync()).OfType<AlertTriggered>().Select(t => t.Alert.RuleId).ToList();
        Assert.Equal([other], told);
        Assert.Equal(2, (await bed.AlertsAsync("open")).Count);
    }

    [Fact]
    public async Task A_run_longer_than_maxRunSeconds_alerts_while_it_is_still_running()
    {
        await using var bed = await RuleTestBed.StartAsync(new DateTimeOffset(2027, 1, 4, 9, 0, 0, TimeSpan.Zero));
        var checks = Checks(bed);
        var id = await CreateAsync(checks, new CheckRequest("Import", null, 3600, null, null, 600, 60, null, null, null, null));
        var runId = await PingAsync(bed, checks, id, PingSignals.Start, "importing 40,000 rows");

        bed.Clock.Advance(TimeSpan.FromSeconds(59));
        await bed.CheckAsync(await RuleAsync(bed, id));
        Assert.Empty(await bed.AlertsAsync("open"));

        bed.Clock.Advance(TimeSpan.FromSeconds(2));
        await bed.CheckAsync(await RuleAsync(bed, id));

        var overrun = Assert.Single(await bed.AlertsAsync("open"));
        Assert.Equal(runId, overrun.Alert.Group);
        Assert.Equal(runId, overrun.Alert.Evidence.ContextId);
        Assert.Equal(CheckStatuses.Down, (await checks.GetAsync(RuleTestBed.Project, id, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task A_new_check_never_pinged_does_not_alert_and_a_success_sooner_than_minRunSeconds_does()
    {
        await using var bed = await RuleTestBed.StartAsync(new DateTimeOffset(2027, 1, 4, 9, 0, 0, TimeSpan.Zero));
        var checks = Checks(bed);
        var id = await CreateAsync(checks, new CheckRequest("Sync", null, 60, null, null, 60, null, 30, null, null, null));

        bed.Clock.Advance(TimeSpan.FromDays(2));
        await bed.CheckAsync(await RuleAsync(bed, id));
        Assert.Empty(await bed.AlertsAsync());
        Assert.Equal(CheckStatuses.New, (await checks.GetAsync(RuleTestBed.Project, id, CancellationToken.None))!.Status);

        await PingAsync(bed, checks, id, PingSignals.Start, null);
        bed.Clock.Advance(TimeSpan.FromSeconds(2));
        await PingAsync(bed, checks, id, PingSignals.Success, "0 files synced");

        var fast = Assert.Single(await bed.AlertsAsync());
        Assert.Contains("sooner than its shortest plausible run", fast.Alert.Evidence.Summary, StringComparison.Ordinal);
        Assert.Equal("0 files synced", fast.Alert.Evidence.Output);
    }

    private static CheckService Checks(RuleTestBed bed) => new(bed.Rules, bed.Store, bed.Book, bed.Store, bed.Store, bed.Store, bed.Clock);

    private static async Task<string> CreateAsync(CheckService checks, CheckRequest request) =>
        Assert.IsType<RuleOutcome.Saved>(await checks.CreateAsync(RuleTestBed.Project, request, null, CancellationToken.None)).Rule.Id;

    private static async Task<CompiledRule> RuleAsync(RuleTestBed bed, string id) => (await bed.Book.CurrentAsync(CancellationToken.None)).Find(id)!;

    /// <summary>A ping as the gateway hands it over, then its event as the rules service receives it.</summary>
    private static async Task<string?> PingAsync(RuleTestBed bed, CheckService checks, string id, string signal, string? output)
    {
        var pingId = (await RuleAsync(bed, id)).Check!.PingId;
        var ping = new CheckPing(pingId, null, null, false, signal, null, null, bed.Now, output);
        var receipt = await checks.PingAsync(ping, CancellationToken.None);
        Assert.Equal(PingOutcomes.Recorded, receipt.Outcome);
        await bed.SendAsync(PingEndpoints.Event(receipt, ping, truncated: false, 100_000) with { ProjectId = RuleTestBed.Project });
        return receipt.RunId;
    }
}
