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
    private const int Concurrency = 64;
    private const int BatchRequestEvents = 100;
    private static readonly TimeSpan CeilingDuration = TimeSpan.FromSeconds(10);

    public static async Task RunAsync(int seconds, string dataDirectory)
    {
        var broker = RabbitMqNode.FromEnvironment();
        var vhost = await broker.CreateVirtualHostAsync("bench");
        var runDirectory = Path.Combine(dataDirectory, "ingest-" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture));
        Report.Line($"## Ingest benchmark: gateway → RabbitMQ → storage (SQLite), {Concurrency} concurrent HTTP clients");
        Report.Line();
        try
        {
            var (kestrel, kestrelWrk) = await BareKestrelCeilingAsync();
            var brokerCeiling = await BrokerCeilingAsync(broker, vhost);

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
                });

            var latency = await LatencyAt100PerSecondAsync(gateway.Address);
            var eventsDb = Path.Combine(runDirectory, "storage", "events.db");
            var sustained = await SustainedAsync(gateway.Address, broker, vhost, eventsDb, TimeSpan.FromSeconds(seconds), 1);
            var wrk = Wrk.IsInstalled ? await SustainedWithWrkAsync(gateway.Address, broker, vhost, eventsDb, TimeSpan.FromSeconds(Math.Min(seconds, 30))) : null;
            var batched = await SustainedAsync(gateway.Address, broker, vhost, eventsDb, TimeSpan.FromSeconds(Math.Min(seconds, 30)), BatchRequestEvents);

            Report.Line("| measurement | result |");
            Report.Line("|---|---|");
            Report.Line($"| ceiling: bare Kestrel, POST answered 202, {Concurrency} clients | {Report.F(kestrel.AcceptedPerSecond)} req/s (p99 {Report.F(kestrel.Latency.Percentile(99), "0.0")} ms) |");
            Report.Line($"| ceiling: RabbitMQ, persistent confirmed publishes, {Concurrency} in flight | {Report.F(brokerCeiling)} msg/s |");
            var (queryable, accepted) = latency;
            Report.Line($"| at 100 events/s: request answered 202, {accepted.Count} events | p50 {Report.F(accepted.Percentile(50), "0.0")} ms, p95 {Report.F(accepted.Percentile(95), "0.0")} ms, p99 {Report.F(accepted.Percentile(99), "0.0")} ms, max {Report.F(accepted.Max, "0.0")} ms |");
            Report.Line($"| at 100 events/s: sent → queryable (arrives on the live feed), {queryable.Count} events | p50 {Report.F(queryable.Percentile(50), "0.0")} ms, p95 {Report.F(queryable.Percentile(95), "0.0")} ms, p99 {Report.F(queryable.Percentile(99), "0.0")} ms, max {Report.F(queryable.Max, "0.0")} ms (target p99 ≤ 150 ms: {(queryable.Percentile(99) <= 150 ? "met" : "MISSED")}) |");
            Report.Line($"| sustained, {seconds} s: accepted by the gateway | {Report.F(sustained.Load.AcceptedPerSecond)} events/s ({sustained.Load.Accepted:N0} events; {sustained.Load.Refused:N0} answered 503, {sustained.Load.Failed:N0} failed); request p99 {Report.F(sustained.Load.Latency.Percentile(99), "0.0")} ms |");
            Report.Line($"| sustained, {seconds} s: stored (queryable) during the window | {Report.F(sustained.StoredPerSecond)} events/s (target ≥ 10,000: {(sustained.StoredPerSecond >= 10_000 ? "met" : "MISSED")}) |");
            Report.Line($"| storage queue during the window | max {sustained.MaxQueue:N0} messages, {sustained.QueueAtEnd:N0} at the end; every accepted event stored {Report.F(sustained.DrainSeconds, "0.0")} s after the load stopped |");
            if (wrk is not null && kestrelWrk is not null)
            {
                Report.Line($"| ceiling: bare Kestrel, same POSTs sent by wrk (C client, less CPU), {Concurrency} connections | {Report.F(kestrelWrk.RequestsPerSecond)} req/s (p99 {kestrelWrk.P99}) |");
                Report.Line($"| sustained, {Math.Min(seconds, 30)} s, sent by wrk: stored (queryable) | {Report.F(wrk.StoredPerSecond)} events/s ({Report.F(wrk.Load.RequestsPerSecond)} req/s answered, {wrk.Load.Non2xx:N0} not 202, p99 {wrk.Load.P99}; max queue {wrk.MaxQueue:N0}, all stored {Report.F(wrk.DrainSeconds, "0.0")} s after) — {Report.F(wrk.Load.RequestsPerSecond / kestrelWrk.RequestsPerSecond * 100)}% of bare Kestrel with the same client |");
            }
            else
            {
                Report.Line("| sustained with wrk as the client | not measured: wrk is not installed (apt-get install wrk) |");
            }

            Report.Line($"| sustained, {Math.Min(seconds, 30)} s, {BatchRequestEvents} events per request (`/v1/events/batch`): stored | {Report.F(batched.StoredPerSecond)} events/s ({Report.F(batched.Load.AcceptedPerSecond / BatchRequestEvents)} requests/s; max queue {batched.MaxQueue:N0}, all stored {Report.F(batched.DrainSeconds, "0.0")} s after the load stopped) |");
            Report.Line($"| ratios | gateway accepted {Report.F(sustained.Load.AcceptedPerSecond / kestrel.AcceptedPerSecond * 100)}% of bare Kestrel's req/s; {Report.F(sustained.Load.AcceptedPerSecond / brokerCeiling, "0.0")} events per raw broker message/s (group commit) |");
            Report.Line();
            Report.Line("Queue depth and stored events per second during the sustained run:");
            Report.Line();
            Report.Line("```");
            foreach (var line in sustained.Timeline)
            {
                Report.Line(line);
            }

            Report.Line("```");
            Report.Line();
        }
        finally
        {
            await broker.DeleteVirtualHostAsync(vhost);
        }
    }

    private static async Task<(LoadGenerator.Result DotNet, Wrk.Result? Wrk)> BareKestrelCeilingAsync()
    {
        Report.Progress("Measuring bare Kestrel...");
        await using var kestrel = await ServiceProcess.StartAsync("bare kestrel", "bench/Operational.Bench", "Operational.Bench",
            new Dictionary<string, string> { ["OPERATIONAL_BENCH_MODE"] = "kestrel" });
        await new LoadGenerator(kestrel.Address, IngestKey, Concurrency).RunAsync(TimeSpan.FromSeconds(2));
        var dotnet = await new LoadGenerator(kestrel.Address, IngestKey, Concurrency).RunAsync(CeilingDuration);
        var wrk = Wrk.IsInstalled ? await Wrk.RunAsync(kestrel.Address, IngestKey, CeilingDuration, Concurrency) : null;
        return (dotnet, wrk);
    }

    private sealed record WrkSustained(Wrk.Result Load, double StoredPerSecond, long MaxQueue, double DrainSeconds);

    private static async Task<WrkSustained> SustainedWithWrkAsync(Uri gateway, RabbitMqNode broker, string vhost, string eventsDb, TimeSpan duration)
    {
        Report.Progress($"Sustained load for {duration.TotalSeconds:0} s sent by wrk...");
        await using var probe = await StorageProbe.OpenAsync(broker, vhost, eventsDb);
        var before = await probe.StoredAsync();
        var clock = Stopwatch.StartNew();
        var load = Wrk.RunAsync(gateway, IngestKey, duration, Concurrency);
        long maxQueue = 0, storedAtEnd = before;
        while (!load.IsCompleted)
        {
            await Task.WhenAny(load, Task.Delay(1000));
            maxQueue = Math.Max(maxQueue, await probe.QueueDepthAsync());
            storedAtEnd = await probe.StoredAsync();
        }

        var window = clock.Elapsed.TotalSeconds;
        var result = await load;
        var drainSeconds = await probe.DrainAsync(before, result.Requests - result.Non2xx);
        return new WrkSustained(result, (storedAtEnd - before) / window, maxQueue, drainSeconds);
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

    private sealed record SustainedResult(LoadGenerator.Result Load, double StoredPerSecond, long MaxQueue, long QueueAtEnd, double DrainSeconds, List<string> Timeline);

    private static async Task<SustainedResult> SustainedAsync(Uri gateway, RabbitMqNode broker, string vhost, string eventsDb, TimeSpan duration, int eventsPerRequest)
    {
        Report.Progress($"Sustained load for {duration.TotalSeconds:0} s, {eventsPerRequest} event(s) per request...");
        await using var probe = await StorageProbe.OpenAsync(broker, vhost, eventsDb);
        var storedBefore = await probe.StoredAsync();
        // Batches are large: fewer clients keep the gateway as busy.
        var generator = new LoadGenerator(gateway, IngestKey, eventsPerRequest == 1 ? Concurrency : 8, eventsPerRequest);
        var load = generator.RunAsync(duration);
        var timeline = new List<string> { "  s   accepted/s   stored/s   queue" };
        long maxQueue = 0, lastAccepted = 0, lastStored = storedBefore, storedAtEnd = storedBefore;
        var clock = Stopwatch.StartNew();
        for (var second = 1; !load.IsCompleted; second++)
        {
            await Task.WhenAny(load, Task.Delay(TimeSpan.FromSeconds(second) - clock.Elapsed));
            var accepted = generator.Accepted;
            var stored = await probe.StoredAsync();
            var queue = await probe.QueueDepthAsync();
            maxQueue = Math.Max(maxQueue, queue);
            timeline.Add($"{second,3} {accepted - lastAccepted,12:N0} {stored - lastStored,10:N0} {queue,7:N0}");
            (lastAccepted, lastStored, storedAtEnd) = (accepted, stored, stored);
        }

        var result = await load;
        var windowSeconds = clock.Elapsed.TotalSeconds;
        var queueAtEnd = await probe.QueueDepthAsync();
        var drainSeconds = await probe.DrainAsync(storedBefore, result.Accepted);
        return new SustainedResult(result, (storedAtEnd - storedBefore) / windowSeconds, maxQueue, queueAtEnd, drainSeconds, timeline);
    }
}
