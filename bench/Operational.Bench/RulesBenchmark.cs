using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json;
using Operational.Contracts.Events;
using Operational.Rules;
using Operational.Rules.Checks;
using Operational.Rules.Definitions;
using Operational.Rules.Evaluation;
using Operational.Rules.Matching;
using Operational.Rules.Storage;
using Operational.ServiceDefaults.Bus;
using Operational.ServiceDefaults.Hosting;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Matching;
using Operational.ServiceDefaults.Validation;

namespace Operational.Bench;

/// <summary>
/// The rules service's two targets, on the rules module as the standalone host composes it
/// (Hangfire in memory, SQLite, in-memory bus), in this process:
/// 10,000 volume rules checked by their Hangfire jobs at a minute boundary must all finish within
/// 10 s; 1,000 match rules must add at most 1 ms p99 to each event's evaluation. The ceiling
/// measured in the same run: the same 10,000 checks called directly, without Hangfire.
/// </summary>
internal static class RulesBenchmark
{
    private const string Project = "bench";
    private const int Groups = 3;
    private const int Names = 1000;

    public static async Task RunAsync(int volumeRules, int matchRules, string dataDirectory)
    {
        var directory = Path.Combine(dataDirectory, "rules-" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture));
        Report.Line($"## Rules benchmark: {volumeRules:N0} volume rules checked each minute; {matchRules:N0} match rules per event");
        Report.Line();
        var app = await StartRulesModuleAsync(directory);
        try
        {
            var services = app.Services;
            var store = services.GetRequiredService<IRulesStore>();
            var evaluator = services.GetRequiredService<RuleEvaluator>();

            var created = Stopwatch.StartNew();
            var rules = await CreateVolumeRulesAsync(services, volumeRules);
            Report.Progress($"created {volumeRules:N0} volume rules and their Hangfire jobs in {created.Elapsed.TotalSeconds:0.0} s");
            await SeedCountsAsync(evaluator);

            var direct = await DirectChecksAsync(services.GetRequiredService<RuleChecks>(), rules);
            var scheduled = new List<(double Seconds, Samples Checks)>();
            for (var minute = 0; minute < 2; minute++)
            {
                scheduled.Add(await NextMinuteAsync(volumeRules));
            }

            var (baseline, withRules, matching) = await MatchRulesAsync(services, store, evaluator, matchRules);

            Report.Line("| measurement | result |");
            Report.Line("|---|---|");
            Report.Line($"| ceiling: the {volumeRules:N0} checks called directly, 4 at a time (no Hangfire) | {Report.F(direct.Seconds, "0.00")} s ({Report.F(volumeRules / direct.Seconds)} checks/s; per check p50 {Report.F(direct.Checks.Percentile(50), "0.00")} ms, p99 {Report.F(direct.Checks.Percentile(99), "0.00")} ms) |");
            foreach (var (seconds, checks) in scheduled)
            {
                Report.Line($"| {volumeRules:N0} volume rules ({Groups} groups each) run by Hangfire at a minute boundary: last check done after | {Report.F(seconds, "0.00")} s (target ≤ 10 s: {(seconds <= 10 ? "met" : "MISSED")}); per check p50 {Report.F(checks.Percentile(50), "0.00")} ms, p99 {Report.F(checks.Percentile(99), "0.00")} ms; {Report.F(direct.Seconds / seconds * 100)}% of the direct rate |");
            }

            Report.Line($"| one event evaluated, project without rules | p50 {Report.F(baseline.Percentile(50), "0.000")} ms, p99 {Report.F(baseline.Percentile(99), "0.000")} ms ({baseline.Count:N0} events) |");
            Report.Line($"| one event evaluated against {matchRules:N0} match rules, none matching | p50 {Report.F(withRules.Percentile(50), "0.000")} ms, p99 {Report.F(withRules.Percentile(99), "0.000")} ms: adds {Report.F(withRules.Percentile(99) - baseline.Percentile(99), "0.000")} ms at p99 (target ≤ 1 ms: {(withRules.Percentile(99) - baseline.Percentile(99) <= 1 ? "met" : "MISSED")}) |");
            Report.Line($"| one event evaluated against {matchRules:N0} match rules, one matching (its alert written, fsync) | p50 {Report.F(matching.Percentile(50), "0.000")} ms, p99 {Report.F(matching.Percentile(99), "0.000")} ms |");
            Report.Line();
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static Task<WebApplication> StartRulesModuleAsync(string directory) =>
        ModuleHost.StartAsync(RulesServiceExtensions.ServiceName, directory, new Dictionary<string, string?>(),
            builder => builder.AddRulesService().AddGatewayIdentityAuthentication().AddOperationalBus(bus => bus.AddRulesConsumers()),
            app => app.MapRulesService());

    /// <summary>Rule i expects ≥ 1 "lead {i mod 1000}" per hour per campaign group, checked every minute.</summary>
    private static async Task<List<CompiledRule>> CreateVolumeRulesAsync(IServiceProvider services, int count)
    {
        var store = services.GetRequiredService<IRulesStore>();
        var schedules = services.GetRequiredService<RuleSchedules>();
        var now = DateTimeOffset.UtcNow;
        var rules = new List<CompiledRule>(count);
        for (var i = 0; i < count; i++)
        {
            var definition = new RuleDefinition($"leads {i}", RuleKinds.Volume, true,
                new EventConditions(new TextCondition($"lead {i % Names}", null, null), null, null, null, null, null, null),
                null, new VolumeSettings(1, null, 3600, null, "campaignGroup", null), null, null, null);
            var rule = RuleValidator.Compile(new Rule($"r{i:D5}", Project, definition, now, now), new FieldErrors())!;
            await store.SaveRuleAsync(rule.Rule, CancellationToken.None);
            schedules.Apply(rule);
            rules.Add(rule);
            if ((i + 1) % 2000 == 0)
            {
                Report.Progress($"  {i + 1:N0} rules");
            }
        }

        return rules;
    }

    /// <summary>Every name in every group once: each volume rule has three groups with a count.</summary>
    private static async Task SeedCountsAsync(RuleEvaluator evaluator)
    {
        var events = new List<IngestedEvent>();
        for (var name = 0; name < Names; name++)
        {
            for (var group = 0; group < Groups; group++)
            {
                events.Add(Event($"lead {name}", ("campaignGroup", $"group-{group}")));
            }
        }

        foreach (var batch in events.Chunk(256))
        {
            await evaluator.EvaluateAsync(batch, DateTimeOffset.UtcNow, CancellationToken.None);
        }
    }

    private static async Task<(double Seconds, Samples Checks)> DirectChecksAsync(RuleChecks checks, List<CompiledRule> rules)
    {
        var samples = new ConcurrentBag<double>();
        var queue = new ConcurrentQueue<CompiledRule>(rules);
        var started = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (queue.TryDequeue(out var rule))
            {
                var one = Stopwatch.GetTimestamp();
                await checks.CheckAsync(rule, DateTimeOffset.UtcNow, CancellationToken.None);
                samples.Add(Stopwatch.GetElapsedTime(one).TotalMilliseconds);
            }
        })));
        var result = new Samples();
        foreach (var sample in samples)
        {
            result.Add(sample);
        }

        return (started.Elapsed.TotalSeconds, result);
    }

    /// <summary>Waits for the next minute boundary, then until Hangfire has run every rule's check.</summary>
    private static async Task<(double Seconds, Samples Checks)> NextMinuteAsync(int expected)
    {
        var now = DateTimeOffset.UtcNow;
        var boundary = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(1);
        // Checks still finishing from the previous minute must not count for this one.
        await Task.Delay(boundary - now - TimeSpan.FromMilliseconds(200));
        var completed = 0L;
        var durations = new ConcurrentBag<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name is "operational.rules.checks" or "operational.rules.check.duration")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref completed, value));
        listener.SetMeasurementEventCallback<double>((_, value, _, _) => durations.Add(value));
        listener.Start();
        Report.Progress($"waiting for Hangfire to run {expected:N0} checks from {boundary:HH:mm:ss}");
        while (Interlocked.Read(ref completed) < expected && DateTimeOffset.UtcNow < boundary.AddSeconds(55))
        {
            await Task.Delay(20);
        }

        var seconds = (DateTimeOffset.UtcNow - boundary).TotalSeconds;
        var samples = new Samples();
        foreach (var duration in durations)
        {
            samples.Add(duration);
        }

        Report.Progress($"  {Interlocked.Read(ref completed):N0} checks done {seconds:0.00} s after the boundary");
        return (Interlocked.Read(ref completed) >= expected ? seconds : double.PositiveInfinity, samples);
    }

    private static async Task<(Samples Baseline, Samples WithRules, Samples Matching)> MatchRulesAsync(
        IServiceProvider services, IRulesStore store, RuleEvaluator evaluator, int count)
    {
        var book = services.GetRequiredService<RuleBook>();
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < count; i++)
        {
            var definition = new RuleDefinition($"payment problem {i}", RuleKinds.Match, true,
                new EventConditions(new TextCondition($"payment failed {i}", null, null), null, EventLevels.Error, null,
                    new Dictionary<string, JsonElement> { ["plan"] = JsonSerializer.SerializeToElement("pro") }, null, null),
                null, null, null, null, null);
            await store.SaveRuleAsync(new Rule($"m{i:D5}", "bench-match", definition, now, now), CancellationToken.None);
        }

        book.Invalidate();
        async Task<Samples> MeasureAsync(string project, Func<int, IngestedEvent> shape, int runs)
        {
            var samples = new Samples();
            for (var i = 0; i < runs + 200; i++)
            {
                var e = shape(i) with { ProjectId = project };
                var started = Stopwatch.GetTimestamp();
                await evaluator.EvaluateAsync([e], DateTimeOffset.UtcNow, CancellationToken.None);
                if (i >= 200)
                {
                    samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds); // the first 200 warm up
                }
            }

            return samples;
        }

        var pageView = (int _) => Event("page viewed", ("plan", "pro")) with { Level = EventLevels.Error };
        var baseline = await MeasureAsync("bench-empty", pageView, 20_000);
        var withRules = await MeasureAsync("bench-match", pageView, 20_000);
        var matching = await MeasureAsync("bench-match", i => Event($"payment failed {i % count}", ("plan", "pro")) with { Level = EventLevels.Error }, 500);
        return (baseline, withRules, matching);
    }

    private static IngestedEvent Event(string name, (string Key, string Value) tag)
    {
        var now = DateTimeOffset.UtcNow;
        return new IngestedEvent(Guid.NewGuid().ToString("N"), Project, name, null, null, null, now, now)
        {
            Tags = new Dictionary<string, JsonElement> { [tag.Key] = JsonSerializer.SerializeToElement(tag.Value) },
        };
    }
}
