using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Data.Sqlite;
using Operational.Contracts.Topology;
using Operational.TestSupport;
using RabbitMQ.Client;

namespace Operational.Bench;

/// <summary>
/// End-to-end ingest: the gateway and the storage service as separate processes over the
/// RabbitMQ node of the run, loaded over HTTP from this process. Measured in the same run:
/// bare Kestrel (HTTP ceiling) and raw confirmed publishing to RabbitMQ (broker ceiling).
/// </summary>
internal static class IngestBenchmark
{
    private const string AdminKey = "bench-admin-key-0123456789abcdef";
    private const string IngestKey = "bench-ingest-key-0123456789abcdef";

    /// <summary>
    /// Offered rate of the target run, 10% above the 10,000 events/s target so that ramp-up and
    /// sampling cannot decide the verdict.
    /// </summary>
    private const int OfferedRate = 11_000;

    /// <summary>Connections of the paced run: enough that the rate is not capped by waiting clients.</summary>
    private const int PacedConnections = 512;

    /// <summary>Clients of the capacity run: many apps sending at once, each as fast as it is answered.</summary>
    private const int ManyClients = 256;

    /// <summary>Every accepted event must be stored this soon after the load stops, or the queue was not bounded.</summary>
    private const double BoundedDrainSeconds = 5;

    /// <summary>Clients of the comparison runs and of the .NET-client ceiling.</summary>
    private const int Concurrency = 64;

    private const int BatchRequestEvents = 100;
    private static readonly TimeSpan CeilingDuration = TimeSpan.FromSeconds(10);

    public static async Task RunAsync(int seconds, string dataDirectory)
    {
        var broker = RabbitMqNode.FromEnvironment();
        var vhost = await broker.CreateVirtualHostAsync("bench");
        var runDirectory = Path.Combine(dataDirectory, "ingest-" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture));
        Report.Line("## Ingest benchmark: gateway → RabbitMQ → storage (SQLite)");
        Report.Line();
        try
        {
            var ceilings = await BareKestrelCeilingAsync();
            var brokerCeiling = await BrokerCeilingAsync(broker, vhost);
            Report.Progress("Measuring storage's write path alone...");
            var storeCeilings = new List<StoreWriteProbe.Result>();
            foreach (var eventsPerTransaction in (int[])[100, 1000])
            {
                storeCeilings.Add(await StoreWriteProbe.RunAsync(dataDirectory, 110_000, eventsPerTransaction));
            }

            var brokerProcessId = int.Parse((await broker.CtlAsync("eval", "list_to_integer(os:getpid()).")).Trim(), CultureInfo.InvariantCulture);

            var environment = new Dictionary<string, string>
            {
                ["Bus__Transport"] = "RabbitMq",
                ["Bus__RabbitMq__Host"] = broker.Host,
                ["Bus__RabbitMq__Port"] = broker.Port.ToString(CultureInfo.InvariantCulture),
                ["Bus__RabbitMq__VirtualHost"] = vhost,
                ["InternalAuth__Secret"] = "bench-internal-secret-0123456789abcdef",
                ["Logging__LogLevel__Default"] = "Warning",
            };
            await using var storage = await ServiceProcess.StartAsync("storage", "services/Operational.Storage", "Operational.Storage",
                new Dictionary<string, string>(environment) { ["Storage__Sqlite__DataDirectory"] = Path.Combine(runDirectory, "storage") });
            await using var gateway = await ServiceProcess.StartAsync("gateway", "gateway/Operational.Gateway", "Operational.Gateway",
                new Dictionary<string, string>(environment)
                {
                    ["Storage__Sqlite__DataDirectory"] = Path.Combine(runDirectory, "gateway"),
                    ["Bootstrap__AdminKey"] = AdminKey,
                    ["Bootstrap__IngestKey"] = IngestKey,
                    ["Gateway__Services__Storage"] = storage.Address.ToString(),
                    // Only storage runs here; the other services' queues would fill up unconsumed.
                    ["Ingest__SubscriberQueues__0"] = EventSubscriberQueues.Storage,
                    // One key sends everything here, far past what one app's key may (RateLimits:PerKeyPerSecond):
                    // the benchmark measures the machine, not the limit.
                    ["RateLimits__Enabled"] = "false",
                });

            var run = new Run(broker, vhost, Path.Combine(runDirectory, "storage", "events.db"),
                [("gateway", CpuMeter.Of(gateway.ProcessId)), ("storage", CpuMeter.Of(storage.ProcessId)), ("RabbitMQ", CpuMeter.Of(brokerProcessId))]);
            var latency = await LatencyAt100PerSecondAsync(gateway.Address);
            Sustained? paced = null, many = null, few = null;
            if (Wrk.IsInstalled)
            {
                // Warm-up: JIT, connection pools and SQLite's cache, so the measured minute is steady state.
                await Wrk.RunAsync(gateway.Address, IngestKey, TimeSpan.FromSeconds(10), ManyClients);
                await run.WaitUntilDrainedAsync();
                paced = await run.SustainedAsync($"{OfferedRate:N0} single events/s offered over {PacedConnections} connections (wrk, paced)", TimeSpan.FromSeconds(seconds),
                    async () => (await Wrk.RunAsync(gateway.Address, IngestKey, TimeSpan.FromSeconds(seconds), PacedConnections, OfferedRate)).Summary());
                var closedSeconds = TimeSpan.FromSeconds(Math.Min(seconds, 30));
                many = await run.SustainedAsync($"single events from {ManyClients} clients, each sending as soon as answered (wrk)", closedSeconds,
                    async () => (await Wrk.RunAsync(gateway.Address, IngestKey, closedSeconds, ManyClients)).Summary());
                await run.WaitUntilDrainedAsync();
                few = await run.SustainedAsync($"single events from {Concurrency} clients, each sending as soon as answered (wrk)", closedSeconds,
                    async () => (await Wrk.RunAsync(gateway.Address, IngestKey, closedSeconds, Concurrency)).Summary());
                await run.WaitUntilDrainedAsync();
            }

            var batchGenerator = new LoadGenerator(gateway.Address, IngestKey, 8, BatchRequestEvents);
            var batched = await run.SustainedAsync($"{BatchRequestEvents} events per request from 8 clients", TimeSpan.FromSeconds(Math.Min(seconds, 30)),
                async () => (await batchGenerator.RunAsync(TimeSpan.FromSeconds(Math.Min(seconds, 30)))).Summary(BatchRequestEvents));

            Report.Line("| measurement | result |");
            Report.Line("|---|---|");
            var (kestrel, kestrelWrk, kestrelWrkMany) = ceilings;
            Report.Line($"| ceiling: bare Kestrel, POST answered 202, {Concurrency} .NET clients | {Report.F(kestrel.AcceptedPerSecond)} req/s (p99 {Report.F(kestrel.Latency.Percentile(99), "0.0")} ms) |");
            if (kestrelWrk is not null && kestrelWrkMany is not null)
            {
                Report.Line($"| ceiling: bare Kestrel, same POSTs sent by wrk, {Concurrency} / {ManyClients} connections | {Report.F(kestrelWrk.RequestsPerSecond)} / {Report.F(kestrelWrkMany.RequestsPerSecond)} req/s (p99 {kestrelWrk.P99} / {kestrelWrkMany.P99}) |");
            }

            Report.Line($"| ceiling: RabbitMQ, persistent confirmed publishes, {Concurrency} in flight | {Report.F(brokerCeiling)} msg/s |");
            Report.Line($"| ceiling: storage's SQLite write path alone (no bus, no HTTP), events per transaction | {string.Join("; ", storeCeilings.Select(c => $"{c.EventsPerTransaction}: {Report.F(c.EventsPerSecond)} events/s, {Report.F(c.CpuMicrosecondsPerEvent)} µs of CPU per event"))} |");
            var (queryable, accepted) = latency;
            Report.Line($"| at 100 events/s: request answered 202, {accepted.Count} events | p50 {Report.F(accepted.Percentile(50), "0.0")} ms, p95 {Report.F(accepted.Percentile(95), "0.0")} ms, p99 {Report.F(accepted.Percentile(99), "0.0")} ms, max {Report.F(accepted.Max, "0.0")} ms |");
            Report.Line($"| at 100 events/s: sent → queryable (arrives on the live feed), {queryable.Count} events | p50 {Report.F(queryable.Percentile(50), "0.0")} ms, p95 {Report.F(queryable.Percentile(95), "0.0")} ms, p99 {Report.F(queryable.Percentile(99), "0.0")} ms, max {Report.F(queryable.Max, "0.0")} ms (target p99 ≤ 150 ms: {(queryable.Percentile(99) <= 150 ? "met" : "MISSED")}) |");
            if (paced is not null && many is not null && few is not null && kestrelWrk is not null && kestrelWrkMany is not null)
            {
                Report.Line(paced.Row(target: 10_000));
                var storeCeiling = storeCeilings[^1];
                Report.Line($"| ratios, target run | gateway accepted {Report.F(paced.Load.RequestsPerSecond / kestrelWrkMany.RequestsPerSecond * 100)}% of bare Kestrel's request rate (wrk, {ManyClients} connections); " +
                    $"storage stored {Report.F(paced.StoredPerSecond / storeCeiling.EventsPerSecond * 100)}% of its write path alone ({storeCeiling.EventsPerTransaction} events per transaction); " +
                    $"{Report.F(paced.StoredPerSecond / brokerCeiling, "0.0")} events per raw broker message/s (group commit) |");
                Report.Line(many.Row(kestrelWrkMany.RequestsPerSecond));
                Report.Line(few.Row(kestrelWrk.RequestsPerSecond));
            }
            else
            {
                Report.Line("| sustained single events | not measured: wrk is not installed (bench/run.sh installs it; or apt-get install wrk) |");
            }

            Report.Line(batched.Row());
            Report.Line();
            foreach (var sustained in (Sustained?[])[paced, many, few, batched])
            {
                if (sustained is null)
                {
                    continue;
                }

                Report.Line($"Per second, {sustained.Name}:");
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
        finally
        {
            await broker.DeleteVirtualHostAsync(vhost);
        }
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

    private sealed record Sustained(string Name, TimeSpan Duration, LoadSummary Load, double StoredPerSecond, long MaxQueue, long QueueAtEnd, double DrainSeconds, string Cpu, List<string> Timeline)
    {
        public string Row(double? kestrelRequestsPerSecond = null, double? target = null)
        {
            var bounded = DrainSeconds <= BoundedDrainSeconds;
            var verdict = target is { } t
                ? $" (target ≥ {t:N0} with the queue bounded: {(StoredPerSecond >= t && bounded ? "met" : "MISSED")})"
                : bounded ? "" : " (storage fell behind: its queue grew)";
            var ratio = kestrelRequestsPerSecond is { } k ? $"; {Report.F(Load.RequestsPerSecond / k * 100)}% of bare Kestrel's req/s with the same client" : "";
            return $"| sustained {Duration.TotalSeconds:0} s, {Name}: stored (queryable) | **{Report.F(StoredPerSecond)} events/s**{verdict}: " +
                $"{Load.AcceptedEvents:N0} events accepted ({Report.F(Load.RequestsPerSecond)} req/s, {Load.NotAccepted:N0} not accepted, request p99 {Load.P99}); " +
                $"storage queue max {MaxQueue:N0} messages, {QueueAtEnd:N0} at the end, every accepted event stored {Report.F(DrainSeconds, "0.0")} s after the load stopped; " +
                $"{Cpu}{ratio} |";
        }
    }

    /// <summary>The processes of the ingest run, and how a sustained load on them is sampled.</summary>
    private sealed class Run(RabbitMqNode broker, string vhost, string eventsDb, (string Name, Func<TimeSpan> Cpu)[] processes)
    {
        /// <summary>
        /// Runs <paramref name="load"/> and samples every second how many events storage has
        /// committed and how deep its queue is; stored/s over the window is the result.
        /// </summary>
        public async Task<Sustained> SustainedAsync(string name, TimeSpan duration, Func<Task<LoadSummary>> load)
        {
            Report.Progress($"Sustained load for {duration.TotalSeconds:0} s: {name}...");
            await using var probe = await StorageProbe.OpenAsync(broker, vhost, eventsDb);
            var storedBefore = await probe.StoredAsync();
            var cpu = CpuMeter.Start(processes);
            var running = load();
            var timeline = new List<string> { "  s   stored/s   queue" };
            long maxQueue = 0, lastStored = storedBefore, storedAtEnd = storedBefore;
            var clock = Stopwatch.StartNew();
            for (var second = 1; !running.IsCompleted; second++)
            {
                await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(second) - clock.Elapsed));
                var stored = await probe.StoredAsync();
                var queue = await probe.QueueDepthAsync();
                maxQueue = Math.Max(maxQueue, queue);
                timeline.Add($"{second,3} {stored - lastStored,10:N0} {queue,7:N0}");
                (lastStored, storedAtEnd) = (stored, stored);
            }

            var result = await running;
            var windowSeconds = clock.Elapsed.TotalSeconds;
            var queueAtEnd = await probe.QueueDepthAsync();
            var drainSeconds = await probe.DrainAsync(storedBefore, result.AcceptedEvents);
            var cpuUse = cpu.Stop(await probe.StoredAsync() - storedBefore);
            return new Sustained(name, duration, result, (storedAtEnd - storedBefore) / windowSeconds, maxQueue, queueAtEnd, drainSeconds, cpuUse, timeline);
        }

        /// <summary>Lets storage finish the previous run's backlog, so it does not count towards the next one.</summary>
        public async Task WaitUntilDrainedAsync()
        {
            await using var probe = await StorageProbe.OpenAsync(broker, vhost, eventsDb);
            var deadline = Stopwatch.StartNew();
            while (await probe.QueueDepthAsync() > 0 && deadline.Elapsed < TimeSpan.FromMinutes(5))
            {
                await Task.Delay(200);
            }

            await Task.Delay(1000); // the last batch's commit
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
