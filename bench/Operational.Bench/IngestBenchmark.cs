using System.Diagnostics;
using System.Globalization;
using System.Text;
using Operational.Contracts.Topology;
using Operational.TestSupport;
using RabbitMQ.Client;

namespace Operational.Bench;

/// <summary>
/// End-to-end ingest in the three ways Operational runs: the gateway and storage alone over
/// RabbitMQ, the gateway and all four services over RabbitMQ, and the standalone host — each as
/// separate processes loaded over HTTP from this process. Measured in the same run: bare Kestrel
/// (HTTP ceiling), raw confirmed publishing to RabbitMQ (broker ceiling) and storage's SQLite write
/// path alone (store ceiling), so results read as ratios of what this machine can do.
/// </summary>
internal static class IngestBenchmark
{
    private const string AdminKey = "bench-admin-key-0123456789abcdef";
    public const string IngestKey = "bench-ingest-key-0123456789abcdef";
    private const string InternalSecret = "bench-internal-secret-0123456789abcdef";

    /// <summary>
    /// Offered rate of the open-loop runs, 10% above the 10,000 events/s target so that ramp-up and
    /// sampling cannot decide the verdict.
    /// </summary>
    private const int OfferedRate = 11_000;

    /// <summary>Connections of the paced run: enough that the rate is not capped by waiting clients.</summary>
    private const int PacedConnections = 512;

    /// <summary>Clients of the capacity run: many apps sending at once, each as fast as it is answered.</summary>
    private const int ManyClients = 256;

    /// <summary>Every accepted event must be stored this soon after the load stops, or a queue was not bounded.</summary>
    private const double BoundedDrainSeconds = 5;

    /// <summary>Clients of the comparison runs and of the .NET-client ceiling.</summary>
    private const int Concurrency = 64;

    private const int BatchRequestEvents = 100;
    private static readonly TimeSpan CeilingDuration = TimeSpan.FromSeconds(10);

    public static async Task RunAsync(int seconds, string dataDirectory)
    {
        var broker = RabbitMqNode.FromEnvironment();
        var runDirectory = Path.Combine(dataDirectory, "ingest-" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture));
        Report.Line("## Ingest benchmark: storage only, all four services, standalone");
        Report.Line();
        var ceilings = await MeasureCeilingsAsync(broker, dataDirectory);
        var brokerProcessId = int.Parse((await broker.CtlAsync("eval", "list_to_integer(os:getpid()).")).Trim(), CultureInfo.InvariantCulture);
        var closedSeconds = TimeSpan.FromSeconds(Math.Min(seconds, 30));
        List<Mode> modes;
        try
        {
            modes =
            [
                await StorageOnlyAsync(broker, brokerProcessId, ceilings, seconds, closedSeconds, Path.Combine(runDirectory, "storage-only")),
                await AllServicesAsync(broker, brokerProcessId, ceilings, seconds, closedSeconds, Path.Combine(runDirectory, "all-services")),
                await StandaloneAsync(ceilings, seconds, closedSeconds, Path.Combine(runDirectory, "standalone")),
            ];
        }
        finally
        {
            // Each run writes ~4 GB of events its report no longer needs.
            if (Directory.Exists(runDirectory))
            {
                Directory.Delete(runDirectory, recursive: true);
            }
        }

        Report.Line("### Summary");
        Report.Line();
        Report.Line($"Single events from {Concurrency} clients, each sending as soon as answered (wrk, {closedSeconds.TotalSeconds:0} s after a warm-up). " +
                    "CPU is per stored event; commits are SQLite write transactions, each one disk sync.");
        Report.Line();
        Report.Line("| system | events/s stored | request p99 | ratio to bare Kestrel (same client) | CPU µs per event | events per commit | memory (peak RSS) |");
        Report.Line("|---|---|---|---|---|---|---|");
        if (ceilings.KestrelWrk is { } kestrel)
        {
            Report.Line($"| bare Kestrel (ceiling) | {Report.F(kestrel.RequestsPerSecond)} req/s | {kestrel.P99} | 1 | | | |");
        }

        foreach (var mode in modes)
        {
            if (mode.Closed is { } closed)
            {
                var ratio = ceilings.KestrelWrk is { } k ? Report.F(closed.StoredPerSecond / k.RequestsPerSecond, "0.000") : "–";
                Report.Line($"| {mode.Name} | {Report.F(closed.StoredPerSecond)} | {closed.Load.P99} | {ratio} | {closed.Cpu} | {closed.EventsPerCommit} | {closed.Memory} |");
            }
        }

        Report.Line();
        Report.Line("| target | result |");
        Report.Line("|---|---|");
        foreach (var verdict in modes.SelectMany(m => m.Verdicts))
        {
            Report.Line(verdict);
        }

        Report.Line();
        foreach (var sustained in modes.SelectMany(m => m.Runs))
        {
            Report.Line($"Per second, {sustained.Mode}, {sustained.Name}:");
            Report.Line();
            Report.Line("```");
            foreach (var line in sustained.Timeline)
            {
                Report.Line(line);
            }

            Report.Line("```");
            Report.Line();
        }
    }

    /// <summary>The gateway and storage over RabbitMQ, nothing else: storage's path alone, measured in detail.</summary>
    private static async Task<Mode> StorageOnlyAsync(RabbitMqNode broker, int brokerProcessId, Ceilings ceilings, int seconds, TimeSpan closedSeconds, string directory)
    {
        const string name = "distributed, gateway + storage only";
        var vhost = await broker.CreateVirtualHostAsync("bench");
        try
        {
            var environment = BusEnvironment(broker, vhost);
            await using var storage = await ServiceProcess.StartAsync("storage", "services/Operational.Storage", "Operational.Storage",
                With(environment, ("Storage__Sqlite__DataDirectory", Path.Combine(directory, "storage"))));
            await using var gateway = await ServiceProcess.StartAsync("gateway", "gateway/Operational.Gateway", "Operational.Gateway",
                With(environment, GatewaySettings(Path.Combine(directory, "gateway"), storage.Address,
                    // Only storage runs here; the other services' queues would fill up unconsumed.
                    ("Ingest__SubscriberQueues__0", EventSubscriberQueues.Storage))));

            var run = new Run(name, (broker, vhost), [EventSubscriberQueues.Storage], Path.Combine(directory, "storage", "events.db"),
                [("gateway", gateway.ProcessId), ("storage", storage.ProcessId), ("RabbitMQ", brokerProcessId)], [("storage", storage.ProcessId)]);
            var latency = await LatencyAt100PerSecondAsync(gateway.Address);
            Sustained? paced = null, many = null, few = null;
            if (Wrk.IsInstalled)
            {
                await WarmUpAsync(run, gateway.Address);
                paced = await run.PacedAsync(gateway.Address, seconds);
                many = await run.ClosedAsync(gateway.Address, closedSeconds, ManyClients);
                few = await run.ClosedAsync(gateway.Address, closedSeconds, Concurrency);
            }

            var batchGenerator = new LoadGenerator(gateway.Address, IngestKey, 8, BatchRequestEvents);
            var batched = await run.SustainedAsync($"{BatchRequestEvents} events per request from 8 clients", closedSeconds,
                async () => (await batchGenerator.RunAsync(closedSeconds)).Summary(BatchRequestEvents));

            Report.Line($"### {name}");
            Report.Line();
            Report.Line("| measurement | result |");
            Report.Line("|---|---|");
            ceilings.Report();
            var (queryable, accepted) = latency;
            Report.Line($"| at 100 events/s: request answered 202, {accepted.Count} events | p50 {Report.F(accepted.Percentile(50), "0.0")} ms, p95 {Report.F(accepted.Percentile(95), "0.0")} ms, p99 {Report.F(accepted.Percentile(99), "0.0")} ms, max {Report.F(accepted.Max, "0.0")} ms |");
            Report.Line($"| at 100 events/s: sent → queryable (arrives on the live feed), {queryable.Count} events | p50 {Report.F(queryable.Percentile(50), "0.0")} ms, p95 {Report.F(queryable.Percentile(95), "0.0")} ms, p99 {Report.F(queryable.Percentile(99), "0.0")} ms, max {Report.F(queryable.Max, "0.0")} ms (target p99 ≤ 150 ms: {(queryable.Percentile(99) <= 150 ? "met" : "MISSED")}) |");
            if (paced is not null && many is not null && few is not null && ceilings.KestrelWrk is { } kestrelWrk && ceilings.KestrelWrkMany is { } kestrelWrkMany)
            {
                Report.Line(paced.Row(target: 10_000));
                var storeCeiling = ceilings.Store[^1];
                Report.Line($"| ratios, target run | gateway accepted {Report.F(paced.Load.RequestsPerSecond / kestrelWrkMany.RequestsPerSecond * 100)}% of bare Kestrel's request rate (wrk, {ManyClients} connections); " +
                    $"storage stored {Report.F(paced.StoredPerSecond / storeCeiling.EventsPerSecond * 100)}% of its write path alone ({storeCeiling.EventsPerTransaction} events per transaction); " +
                    $"{Report.F(paced.StoredPerSecond / ceilings.Broker, "0.0")} events per raw broker message/s (group commit) |");
                Report.Line(many.Row(kestrelWrkMany.RequestsPerSecond));
                Report.Line(few.Row(kestrelWrk.RequestsPerSecond));
            }
            else
            {
                Report.Line("| sustained single events | not measured: wrk is not installed (bench/run.sh installs it; or apt-get install wrk) |");
            }

            Report.Line(batched.Row());
            Report.Line();
            var verdicts = paced is null ? [] : new List<string>
            {
                $"| {name}: ≥ 10,000 events/s stored over {seconds} s at {OfferedRate:N0}/s offered ({PacedConnections} connections), queue bounded | {Verdict(paced.StoredPerSecond >= 10_000 && paced.Bounded)} ({Report.F(paced.StoredPerSecond)} events/s, drained {Report.F(paced.DrainSeconds, "0.0")} s after the load) |",
            };
            return new Mode(name, few, verdicts, [.. new[] { paced, many, few, batched }.OfType<Sustained>()]);
        }
        finally
        {
            await broker.DeleteVirtualHostAsync(vhost);
        }
    }

    /// <summary>The gateway and all four services over RabbitMQ, as a distributed installation runs.</summary>
    private static async Task<Mode> AllServicesAsync(RabbitMqNode broker, int brokerProcessId, Ceilings ceilings, int seconds, TimeSpan closedSeconds, string directory)
    {
        const string name = "distributed, gateway + all four services";
        if (!Wrk.IsInstalled)
        {
            return new Mode(name, null, [], []);
        }

        var vhost = await broker.CreateVirtualHostAsync("bench");
        try
        {
            var environment = BusEnvironment(broker, vhost);
            await using var storage = await ServiceProcess.StartAsync("storage", "services/Operational.Storage", "Operational.Storage",
                With(environment, ("Storage__Sqlite__DataDirectory", Path.Combine(directory, "storage"))));
            await using var contexts = await ServiceProcess.StartAsync("contexts", "services/Operational.Contexts", "Operational.Contexts",
                With(environment, ("Storage__Sqlite__DataDirectory", Path.Combine(directory, "contexts")), ("Contexts__StorageApi", storage.Address.ToString())));
            await using var notifications = await ServiceProcess.StartAsync("notifications", "services/Operational.Notifications", "Operational.Notifications",
                With(environment, ("Storage__Sqlite__DataDirectory", Path.Combine(directory, "notifications")), ("Notifications__StorageApi", storage.Address.ToString())));
            await using var rules = await ServiceProcess.StartAsync("rules", "services/Operational.Rules", "Operational.Rules",
                With(environment, ("Storage__Sqlite__DataDirectory", Path.Combine(directory, "rules")), ("Rules__NotificationsApi", notifications.Address.ToString())));
            await using var gateway = await ServiceProcess.StartAsync("gateway", "gateway/Operational.Gateway", "Operational.Gateway",
                With(environment, GatewaySettings(Path.Combine(directory, "gateway"), storage.Address,
                    ("Gateway__Services__Contexts", contexts.Address.ToString()),
                    ("Gateway__Services__Rules", rules.Address.ToString()),
                    ("Gateway__Services__Notifications", notifications.Address.ToString()))));

            var run = new Run(name, (broker, vhost), EventSubscriberQueues.All, Path.Combine(directory, "storage", "events.db"),
                [("gateway", gateway.ProcessId), ("storage", storage.ProcessId), ("contexts", contexts.ProcessId), ("rules", rules.ProcessId),
                 ("notifications", notifications.ProcessId), ("RabbitMQ", brokerProcessId)],
                [("storage", storage.ProcessId), ("contexts", contexts.ProcessId), ("rules", rules.ProcessId), ("notifications", notifications.ProcessId)]);
            await WarmUpAsync(run, gateway.Address);
            var paced = await run.PacedAsync(gateway.Address, seconds);
            var few = await run.ClosedAsync(gateway.Address, closedSeconds, Concurrency);

            Report.Line($"### {name}");
            Report.Line();
            Report.Line("| measurement | result |");
            Report.Line("|---|---|");
            Report.Line(paced.Row(target: 10_000));
            Report.Line(few.Row(ceilings.KestrelWrk?.RequestsPerSecond));
            Report.Line();
            return new Mode(name, few,
                [
                    $"| {name}: ≥ 8,000 events/s from {Concurrency} clients, queues bounded | {Verdict(few.StoredPerSecond >= 8_000 && few.Bounded)} ({Report.F(few.StoredPerSecond)} events/s, drained {Report.F(few.DrainSeconds, "0.0")} s after the load) |",
                    $"| {name}: ≥ 10,000 events/s stored by all four over {seconds} s at {OfferedRate:N0}/s offered, queues bounded | {Verdict(paced.StoredPerSecond >= 10_000 && paced.Bounded)} ({Report.F(paced.StoredPerSecond)} events/s, all queues empty {Report.F(paced.DrainSeconds, "0.0")} s after the load) |",
                ],
                [paced, few]);
        }
        finally
        {
            await broker.DeleteVirtualHostAsync(vhost);
        }
    }

    /// <summary>The README's default: the standalone host, one process, SQLite, with all four modules.</summary>
    private static async Task<Mode> StandaloneAsync(Ceilings ceilings, int seconds, TimeSpan closedSeconds, string directory)
    {
        const string name = "standalone host (the default)";
        if (!Wrk.IsInstalled)
        {
            return new Mode(name, null, [], []);
        }

        await using var host = await StartStandaloneAsync(directory);
        var run = new Run(name, null, [], Path.Combine(directory, "events.db"), [("standalone", host.ProcessId)], [("standalone", host.ProcessId)]);
        await WarmUpAsync(run, host.Address);
        var few = await run.ClosedAsync(host.Address, closedSeconds, Concurrency);
        var fewPaced = await run.PacedAsync(host.Address, seconds, Concurrency);
        var paced = await run.PacedAsync(host.Address, seconds);

        Report.Line($"### {name}");
        Report.Line();
        Report.Line("| measurement | result |");
        Report.Line("|---|---|");
        Report.Line(few.Row(ceilings.KestrelWrk?.RequestsPerSecond));
        Report.Line(fewPaced.Row(target: 10_000));
        Report.Line(paced.Row(target: 10_000));
        Report.Line();
        var runs = new[] { few, fewPaced, paced };
        var slowestDrain = runs.Max(r => r.DrainSeconds);
        var peak = runs.MaxBy(r => r.PeakRssMegabytes)!;
        return new Mode(name, few,
            [
                $"| {name}: ≥ 10,000 events/s stored from {Concurrency} clients with p99 ≤ 25 ms, at {OfferedRate:N0}/s offered | " +
                $"{Verdict(fewPaced.StoredPerSecond >= 10_000 && fewPaced.Bounded && Wrk.Milliseconds(fewPaced.Load.P99) <= 25)} ({Report.F(fewPaced.StoredPerSecond)} events/s, p99 {fewPaced.Load.P99}) |",
                $"| {name}: the same {Concurrency} clients each sending as soon as answered (capacity: the host saturated, so p99 is time queued behind the store) | " +
                $"{Verdict(few.StoredPerSecond >= 10_000 && Wrk.Milliseconds(few.Load.P99) <= 25)} ({Report.F(few.StoredPerSecond)} events/s, p99 {few.Load.P99}) |",
                $"| {name}: every accepted event queryable ≤ 1 s after the load stops | {Verdict(slowestDrain <= 1)} (slowest of its runs: {Report.F(slowestDrain, "0.0")} s) |",
                $"| {name}: memory ≤ 400 MB | {Verdict(peak.PeakRssMegabytes <= 400)} (peak of its runs: {peak.Memory}) |",
            ],
            runs);
    }

    /// <summary>The standalone host as its own process, quiet and without rate limits: the load is the point.</summary>
    public static Task<ServiceProcess> StartStandaloneAsync(string directory) =>
        ServiceProcess.StartAsync("standalone", "compose/Operational.Standalone", "Operational.Standalone", new Dictionary<string, string>
        {
            ["Storage__Sqlite__DataDirectory"] = directory,
            ["Bootstrap__AdminKey"] = AdminKey,
            ["Bootstrap__IngestKey"] = IngestKey,
            ["Logging__LogLevel__Default"] = "Warning",
            ["RateLimits__Enabled"] = "false",
        });

    private static string Verdict(bool met) => met ? "**met**" : "**missed**";

    private static Dictionary<string, string> BusEnvironment(RabbitMqNode broker, string vhost) => new()
    {
        ["Bus__Transport"] = "RabbitMq",
        ["Bus__RabbitMq__Host"] = broker.Host,
        ["Bus__RabbitMq__Port"] = broker.Port.ToString(CultureInfo.InvariantCulture),
        ["Bus__RabbitMq__VirtualHost"] = vhost,
        ["InternalAuth__Secret"] = InternalSecret,
        ["Logging__LogLevel__Default"] = "Warning",
    };

    private static (string, string)[] GatewaySettings(string data, Uri storage, params (string, string)[] more) =>
    [
        ("Storage__Sqlite__DataDirectory", data),
        ("Bootstrap__AdminKey", AdminKey),
        ("Bootstrap__IngestKey", IngestKey),
        ("Gateway__Services__Storage", storage.ToString()),
        // One key sends everything here, far past what one app's key may (RateLimits:PerKeyPerSecond):
        // the benchmark measures the machine, not the limit.
        ("RateLimits__Enabled", "false"),
        .. more,
    ];

    private static Dictionary<string, string> With(Dictionary<string, string> environment, params (string Key, string Value)[] settings)
    {
        var result = new Dictionary<string, string>(environment);
        foreach (var (key, value) in settings)
        {
            result[key] = value;
        }

        return result;
    }

    /// <summary>JIT, connection pools and SQLite's cache warmed, so the measured runs are steady state.</summary>
    private static async Task WarmUpAsync(Run run, Uri target)
    {
        Report.Progress($"Warming up: {run.Mode}...");
        await Wrk.RunAsync(target, IngestKey, TimeSpan.FromSeconds(10), ManyClients);
        await run.WaitUntilDrainedAsync();
    }

    private sealed record Ceilings(LoadGenerator.Result Kestrel, Wrk.Result? KestrelWrk, Wrk.Result? KestrelWrkMany, double Broker, List<StoreWriteProbe.Result> Store)
    {
        public void Report()
        {
            Bench.Report.Line($"| ceiling: bare Kestrel, POST answered 202, {Concurrency} .NET clients | {Bench.Report.F(Kestrel.AcceptedPerSecond)} req/s (p99 {Bench.Report.F(Kestrel.Latency.Percentile(99), "0.0")} ms) |");
            if (KestrelWrk is not null && KestrelWrkMany is not null)
            {
                Bench.Report.Line($"| ceiling: bare Kestrel, same POSTs sent by wrk, {Concurrency} / {ManyClients} connections | {Bench.Report.F(KestrelWrk.RequestsPerSecond)} / {Bench.Report.F(KestrelWrkMany.RequestsPerSecond)} req/s (p99 {KestrelWrk.P99} / {KestrelWrkMany.P99}) |");
            }

            Bench.Report.Line($"| ceiling: RabbitMQ, persistent confirmed publishes, {Concurrency} in flight | {Bench.Report.F(Broker)} msg/s |");
            Bench.Report.Line($"| ceiling: storage's SQLite write path alone (no bus, no HTTP), events per transaction | {string.Join("; ", Store.Select(c => $"{c.EventsPerTransaction}: {Bench.Report.F(c.EventsPerSecond)} events/s, {Bench.Report.F(c.CpuMicrosecondsPerEvent)} µs of CPU per event"))} |");
        }
    }

    private static async Task<Ceilings> MeasureCeilingsAsync(RabbitMqNode broker, string dataDirectory)
    {
        var (kestrel, kestrelWrk, kestrelWrkMany) = await BareKestrelCeilingAsync();
        var vhost = await broker.CreateVirtualHostAsync("bench");
        double brokerCeiling;
        try
        {
            brokerCeiling = await BrokerCeilingAsync(broker, vhost);
        }
        finally
        {
            await broker.DeleteVirtualHostAsync(vhost);
        }

        Report.Progress("Measuring storage's write path alone...");
        var store = new List<StoreWriteProbe.Result>();
        foreach (var eventsPerTransaction in (int[])[100, 1000])
        {
            store.Add(await StoreWriteProbe.RunAsync(dataDirectory, 110_000, eventsPerTransaction));
        }

        return new Ceilings(kestrel, kestrelWrk, kestrelWrkMany, brokerCeiling, store);
    }

    private static async Task<(LoadGenerator.Result DotNet, Wrk.Result? Wrk, Wrk.Result? WrkMany)> BareKestrelCeilingAsync()
    {
        Report.Progress("Measuring bare Kestrel...");
        await using var kestrel = await ServiceProcess.StartAsync("bare kestrel", "bench/Operational.Bench", "Operational.Bench",
            new Dictionary<string, string> { ["OPERATIONAL_BENCH_MODE"] = "kestrel" });
        await new LoadGenerator(kestrel.Address, IngestKey, Concurrency).RunAsync(TimeSpan.FromSeconds(2));
        var dotnet = await new LoadGenerator(kestrel.Address, IngestKey, Concurrency).RunAsync(CeilingDuration);
        var wrk = Wrk.IsInstalled ? await Wrk.RunAsync(kestrel.Address, IngestKey, CeilingDuration, Concurrency) : null;
        var wrkMany = Wrk.IsInstalled ? await Wrk.RunAsync(kestrel.Address, IngestKey, CeilingDuration, ManyClients) : null;
        return (dotnet, wrk, wrkMany);
    }

    /// <summary>What a load run reports, whichever client sent it.</summary>
    internal sealed record LoadSummary(long AcceptedEvents, long Requests, long NotAccepted, double RequestsPerSecond, string P99);

    /// <summary>A mode's runs, its row of the summary (the closed-loop run with 64 clients) and its verdicts.</summary>
    private sealed record Mode(string Name, Sustained? Closed, IReadOnlyList<string> Verdicts, IReadOnlyList<Sustained> Runs);

    private sealed record Sustained(
        string Mode, string Name, TimeSpan Duration, LoadSummary Load, double StoredPerSecond, string Queues, double DrainSeconds,
        string Cpu, string Machine, string EventsPerCommit, double PeakRssMegabytes, string Memory, List<string> Timeline)
    {
        public bool Bounded => DrainSeconds <= BoundedDrainSeconds;

        public string Row(double? kestrelRequestsPerSecond = null, double? target = null)
        {
            var verdict = target is { } t
                ? $" (target ≥ {t:N0} with the queues bounded: {(StoredPerSecond >= t && Bounded ? "met" : "MISSED")})"
                : Bounded ? "" : " (fell behind: a queue grew)";
            var ratio = kestrelRequestsPerSecond is { } k ? $"; {Report.F(Load.RequestsPerSecond / k * 100)}% of bare Kestrel's req/s with the same client" : "";
            return $"| sustained {Duration.TotalSeconds:0} s, {Name}: stored (queryable) | **{Report.F(StoredPerSecond)} events/s**{verdict}: " +
                $"{Load.AcceptedEvents:N0} events accepted ({Report.F(Load.RequestsPerSecond)} req/s, {Load.NotAccepted:N0} not accepted, request p99 {Load.P99}); " +
                $"{Queues}every accepted event stored {Report.F(DrainSeconds, "0.0")} s after the load stopped; " +
                $"{Cpu} of CPU per event; {Machine}; {EventsPerCommit}; memory {Memory}{ratio} |";
        }
    }

    /// <summary>The processes of one mode, and how a sustained load on them is sampled.</summary>
    private sealed class Run(
        string mode,
        (RabbitMqNode Node, string VirtualHost)? broker,
        IReadOnlyList<string> queues,
        string eventsDb,
        (string Name, int ProcessId)[] processes,
        (string Name, int ProcessId)[] committing)
    {
        public string Mode => mode;

        public Task<Sustained> PacedAsync(Uri target, int seconds, int connections = PacedConnections) =>
            SustainedAsync($"{OfferedRate:N0} single events/s offered over {connections} connections (wrk, paced)", TimeSpan.FromSeconds(seconds),
                async () => (await Wrk.RunAsync(target, IngestKey, TimeSpan.FromSeconds(seconds), connections, OfferedRate)).Summary());

        public async Task<Sustained> ClosedAsync(Uri target, TimeSpan duration, int clients)
        {
            var result = await SustainedAsync($"single events from {clients} clients, each sending as soon as answered (wrk)", duration,
                async () => (await Wrk.RunAsync(target, IngestKey, duration, clients)).Summary());
            await WaitUntilDrainedAsync();
            return result;
        }

        /// <summary>
        /// Runs <paramref name="load"/> and samples every second how many events storage has
        /// committed and how deep the queues are; stored/s over the window is the result.
        /// </summary>
        public async Task<Sustained> SustainedAsync(string name, TimeSpan duration, Func<Task<LoadSummary>> load)
        {
            Report.Progress($"{mode}: sustained load for {duration.TotalSeconds:0} s: {name}...");
            await using var probe = await StorageProbe.OpenAsync(broker, queues, eventsDb);
            var storedBefore = await probe.StoredAsync();
            var cpu = CpuMeter.Start([.. processes.Select(p => (p.Name, CpuMeter.Of(p.ProcessId)))]);
            var counters = committing.Select(p => (p.Name, Counters: ProcessCounters.Start(p.ProcessId, "Operational", "operational.sqlite.commits"))).ToList();
            var running = load();
            var timeline = new List<string> { $"  s   stored/s   {string.Join("  ", queues.Select(Short))}" };
            var maxQueue = queues.ToDictionary(q => q, _ => 0L);
            long lastStored = storedBefore, storedAtEnd = storedBefore;
            var clock = Stopwatch.StartNew();
            for (var second = 1; !running.IsCompleted; second++)
            {
                var untilNextSecond = TimeSpan.FromSeconds(second) - clock.Elapsed;
                if (untilNextSecond > TimeSpan.Zero)
                {
                    await Task.WhenAny(running, Task.Delay(untilNextSecond));
                }

                var stored = await probe.StoredAsync();
                var depths = await probe.QueueDepthsAsync();
                foreach (var (queue, depth) in depths)
                {
                    maxQueue[queue] = Math.Max(maxQueue[queue], depth);
                }

                timeline.Add($"{second,3} {stored - lastStored,10:N0}   {string.Join("  ", queues.Select(q => depths[q].ToString("N0", CultureInfo.InvariantCulture).PadLeft(Short(q).Length)))}");
                (lastStored, storedAtEnd) = (stored, stored);
            }

            var result = await running;
            var windowSeconds = clock.Elapsed.TotalSeconds;
            var depthsAtEnd = await probe.QueueDepthsAsync();
            var drainSeconds = await probe.DrainAsync(storedBefore, result.AcceptedEvents);
            var storedEvents = await probe.StoredAsync() - storedBefore;
            var (cpuUse, machine) = cpu.StopParts(storedEvents);
            var commits = new List<string>();
            foreach (var (process, counter) in counters)
            {
                await using (counter)
                {
                    foreach (var (tags, total) in (await counter.StopAsync()).Where(c => c.Value > 0).OrderBy(c => c.Key, StringComparer.Ordinal))
                    {
                        commits.Add($"{process} {tags.Replace("database=", "", StringComparison.Ordinal)}.db {Report.F(storedEvents / total, "0.0")}");
                    }
                }
            }

            var peak = processes.Where(p => p.Name != "RabbitMQ").Select(p => (p.Name, Peak: Memory(p.ProcessId, "VmHWM"), Now: Memory(p.ProcessId, "VmRSS"))).ToList();
            var queueText = queues.Count == 0 ? "" :
                $"queues max {string.Join(", ", queues.Select(q => $"{Short(q)} {maxQueue[q]:N0}"))} messages, at the end {string.Join(", ", queues.Select(q => $"{Short(q)} {depthsAtEnd[q]:N0}"))}; ";
            return new Sustained(mode, name, duration, result, storedAtEnd > storedBefore ? (storedAtEnd - storedBefore) / windowSeconds : 0, queueText, drainSeconds,
                cpuUse,
                machine,
                commits.Count == 0 ? "events per commit: –" : "events per commit: " + string.Join(", ", commits),
                peak.Count == 0 ? 0 : peak.Max(p => p.Peak),
                string.Join(", ", peak.Select(p => $"{p.Name} {Report.F(p.Peak)} MB")),
                timeline);
        }

        /// <summary>Lets the previous run's backlog finish, so it does not count towards the next one.</summary>
        public async Task WaitUntilDrainedAsync()
        {
            await using var probe = await StorageProbe.OpenAsync(broker, queues, eventsDb);
            var deadline = Stopwatch.StartNew();
            while ((await probe.QueueDepthsAsync()).Values.Any(d => d > 0) && deadline.Elapsed < TimeSpan.FromMinutes(5))
            {
                await Task.Delay(200);
            }

            await Task.Delay(1000); // the last batch's commit
        }

        private static string Short(string queue) => queue.Replace("-events-ingested", "", StringComparison.Ordinal);

        /// <summary>A process's resident memory from /proc (VmRSS now, VmHWM its peak), in MB.</summary>
        private static double Memory(int processId, string field)
        {
            var line = File.ReadLines($"/proc/{processId}/status").FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal));
            return line is null ? 0 : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
    }

    private static async Task<double> BrokerCeilingAsync(RabbitMqNode broker, string vhost)
    {
        Report.Progress("Measuring raw RabbitMQ confirmed publishing...");
        var factory = new ConnectionFactory { HostName = broker.Host, Port = broker.Port, VirtualHost = vhost, UserName = "guest", Password = "guest" };
        await using var connection = await factory.CreateConnectionAsync();
        await using var setup = await connection.CreateChannelAsync();
        await setup.QueueDeclareAsync("bench-ceiling", durable: true, exclusive: false, autoDelete: false);
        var body = Encoding.UTF8.GetBytes(DataGenerator.RequestBody(1) + new string(' ', 200));
        long published = 0;
        var stop = Stopwatch.StartNew();
        async Task Publisher()
        {
            await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
            var properties = new BasicProperties { Persistent = true };
            while (stop.Elapsed < CeilingDuration)
            {
                await channel.BasicPublishAsync("", "bench-ceiling", mandatory: true, properties, body);
                Interlocked.Increment(ref published);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => Task.Run(Publisher)));
        var rate = published / stop.Elapsed.TotalSeconds;
        await setup.QueueDeleteAsync("bench-ceiling");
        return rate;
    }

    private static async Task<(Samples Queryable, Samples Accepted)> LatencyAt100PerSecondAsync(Uri gateway)
    {
        Report.Progress("Measuring ingest → queryable latency at 100 events/s...");
        using var http = new HttpClient { BaseAddress = gateway };
        // Warm up both processes (JIT, connection pools, SQLite cache) before anything is measured.
        var warmup = new OperationalClient(http);
        for (var i = 0; i < 300; i++)
        {
            await warmup.IngestAsync(IngestKey, $$"""{"name":"warm-up {{i}}"}""");
        }

        await using var stream = await ServerSentEventReader.OpenAsync(http, AdminKey, "/v1/events/stream");
        var acceptedSamples = new Samples();
        var sent = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        var samples = new Samples();
        const int count = 2000;
        var receiver = Task.Run(async () =>
        {
            for (var received = 0; received < count; received++)
            {
                var message = await stream.NextAsync(TimeSpan.FromSeconds(30));
                var arrived = Stopwatch.GetTimestamp();
                var id = message.Json.GetProperty("id").GetString()!;
                while (!sent.ContainsKey(id))
                {
                    await Task.Yield(); // the 202 may be read a moment after the event already streamed
                }

                samples.Add(Stopwatch.GetElapsedTime(sent[id], arrived).TotalMilliseconds);
            }
        });

        var client = new OperationalClient(http);
        var clock = Stopwatch.StartNew();
        var senders = new List<Task>();
        for (var i = 0; i < count; i++)
        {
            // Open loop: one event every 10 ms whatever the answers' timing.
            var due = TimeSpan.FromMilliseconds(i * 10);
            if (clock.Elapsed < due)
            {
                await Task.Delay(due - clock.Elapsed);
            }

            var n = i;
            senders.Add(Task.Run(async () =>
            {
                var started = Stopwatch.GetTimestamp();
                var id = $"latency-{n:D6}";
                var pending = client.PostEventAsync(IngestKey, $$"""{"id":"{{id}}","name":"latency probe {{n}}"}""");
                sent[id] = started;
                using var response = await pending;
                lock (acceptedSamples)
                {
                    acceptedSamples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }));
        }

        await Task.WhenAll(senders);
        await receiver.WaitAsync(TimeSpan.FromSeconds(60));
        return (samples, acceptedSamples);
    }
}
