using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Operational.Contracts.Events;
using Operational.ServiceDefaults.Storage;
using Operational.Storage.Events.Sqlite;
using Operational.Storage.LiveFeed;
using Operational.Storage.Metrics;

namespace Operational.Bench;

/// <summary>
/// Metric rollups on one project: N events of "import finished" with a duration and one of 1,000
/// customers, spread over 7 days in the order of time, written through storage's own store (the write path alone, no
/// rollups), then folded into the rollups by the worker's own code: the rollups' CPU per event as a
/// share of the write path's, in the same run. Then the query the dashboard makes — a 7-day hourly
/// p95 per customer — timed, and every customer's p95 (and p50, p99) over the week against the exact
/// value from the generated data.
/// </summary>
internal static class MetricsBenchmark
{
    private const string Project = "bench";
    private const int Customers = 1000;
    private const int LoadBatch = 1000;
    private const int Warmup = 10;
    private const int Runs = 100;

    public static async Task RunAsync(long events, string dataDirectory)
    {
        var directory = Path.Combine(dataDirectory, $"metrics-{events}");
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true); // both measurements need an empty start
        }

        Directory.CreateDirectory(directory);
        var database = new SqliteDatabase(Path.Combine(directory, "events.db"));
        var store = new SqliteEventStore(database);
        await store.InitializeAsync(CancellationToken.None);

        var end = DateTimeOffset.UtcNow;
        var start = end.AddDays(-7);
        var exact = new List<double>[Customers];
        for (var c = 0; c < Customers; c++)
        {
            exact[c] = [];
        }

        // The write path alone: the store's appends of ready events, as the storage consumer makes them.
        Report.Progress($"Metrics: writing {events:N0} events (the write path without rollups)...");
        var random = new Random(42);
        var write = new CpuClock();
        for (long written = 0; written < events; written += LoadBatch)
        {
            var batch = new List<IngestedEvent>(LoadBatch);
            for (var i = 0; i < LoadBatch && written + i < events; i++)
            {
                var customer = random.Next(Customers);
                // Lognormal durations; each customer its own median, a few customers slow.
                var duration = Math.Round(Math.Exp(6 + (customer % 7 * 0.2) + (Normal(random) * 0.8)), 1);
                exact[customer].Add(duration);
                // In the order of time, as live events arrive (a backfill of old, shuffled events costs the fold more).
                var at = start.AddSeconds((end - start).TotalSeconds * (written + i) / events);
                batch.Add(new IngestedEvent($"m{written + i}", Project, "import finished", null, "imports", null, at, at)
                {
                    Tags = new Dictionary<string, JsonElement>
                    {
                        ["durationMs"] = JsonSerializer.SerializeToElement(duration),
                        ["customer"] = JsonSerializer.SerializeToElement($"customer-{customer:D4}"),
                    },
                });
            }

            write.Start();
            await store.AppendAsync(batch, CancellationToken.None);
            write.Stop();
            if (written % 1_000_000 == 0 && written > 0)
            {
                Report.Progress($"  {written:N0}");
            }
        }

        // The rollups: the worker's fold, page by page, until it has caught up.
        Report.Progress("Metrics: folding them into the rollups...");
        var worker = new MetricRollupWorker(store, new StoredSignal(), TimeProvider.System, NullLogger<MetricRollupWorker>.Instance);
        var fold = new CpuClock();
        fold.Start();
        while (await worker.FoldOnceAsync(CancellationToken.None) > 0)
        {
        }

        fold.Stop();

        // The dashboard's query: 7 days, hourly, p95 per customer (top 10 shown, the rest as other), and a week's per-customer table.
        Report.Progress("Metrics: querying...");
        var series = new SeriesSelector(Project, "import finished", "durationMs", "");
        var (first, last) = (start.ToUnixTimeSeconds() - (start.ToUnixTimeSeconds() % 3600), end.ToUnixTimeSeconds());
        var hours = Enumerable.Range(0, (int)((last - first + 3599) / 3600)).Select(h => first + (h * 3600L)).ToList();
        var query = new Samples();
        for (var run = 0; run < Warmup + Runs; run++)
        {
            var clock = Stopwatch.StartNew();
            await MetricEndpoints.QueryAsync(store, series, "customer", Resolution.Hour, first, last, hours, ["p95"], 10, CancellationToken.None);
            if (run >= Warmup)
            {
                query.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        // Accuracy: each customer's week from the day rollups, against the exact percentile of its values.
        var worst = new Dictionary<string, double> { ["p50"] = 0, ["p95"] = 0, ["p99"] = 0 };
        var grouped = series with { GroupKey = "customer" };
        var (dayFirst, dayLast) = (first - (first % 86400), last + 86400);
        for (var c = 0; c < Customers; c++)
        {
            var rows = await store.ReadSeriesAsync(grouped, $"customer-{c:D4}", Resolution.Day, dayFirst, dayLast, CancellationToken.None);
            var total = new Operational.ServiceDefaults.Statistics.MetricAggregate();
            foreach (var row in rows)
            {
                total.Merge(row.Aggregate);
            }

            var sorted = exact[c].Order().ToArray();
            foreach (var (fn, q) in new[] { ("p50", 0.5), ("p95", 0.95), ("p99", 0.99) })
            {
                var truth = sorted[(int)(q * (sorted.Length - 1))];
                worst[fn] = Math.Max(worst[fn], Math.Abs(total.Statistic(fn)!.Value - truth) / truth);
            }
        }

        var writeMicros = write.Elapsed.TotalMicroseconds / events;
        var foldMicros = fold.Elapsed.TotalMicroseconds / events;
        var share = foldMicros / writeMicros;
        var file = new FileInfo(database.FilePath);
        Report.Line($"## Metrics benchmark: {events:N0} events, {Customers:N0} customers, 7 days (SQLite)");
        Report.Line();
        Report.Line($"Each event: `import finished` with tags `durationMs` (lognormal, per-customer median) and `customer`; written in batches of {LoadBatch:N0} " +
            $"through storage's store (the write path, no rollups), then folded by the rollup worker's own code in pages of {MetricRollupWorker.PageSize:N0}. Database: {file.Length / 1024.0 / 1024 / 1024:0.00} GiB.");
        Report.Line();
        Report.Line("| measurement | result |");
        Report.Line("|---|---|");
        Report.Line($"| write path without rollups (the comparison; it includes queueing each event for folding, one row) | {Report.F(writeMicros, "0.0")} µs CPU per event |");
        Report.Line($"| folding into the rollups (hour and day per customer; minute, hour and day over all) | {Report.F(foldMicros, "0.0")} µs CPU per event ({Report.F(share * 100, "0")}% of the write path) |");
        Report.Line($"| 7-day hourly p95 per customer (top 10 + other, {hours.Count} buckets), {Runs} runs | p50 {Report.F(query.Percentile(50), "0.0")} ms, p95 {Report.F(query.Percentile(95), "0.0")} ms, max {Report.F(query.Max, "0.0")} ms |");
        Report.Line($"| sketch against exact, each customer's week (worst of {Customers:N0}) | p50 {Report.F(worst["p50"] * 100, "0.00")}%, p95 {Report.F(worst["p95"] * 100, "0.00")}%, p99 {Report.F(worst["p99"] * 100, "0.00")}% |");
        Report.Line();
        Report.Line("| target | result |");
        Report.Line("|---|---|");
        Report.Line($"| rollups cost ≤ 20% more CPU per event than the write path | {(share <= 0.20 ? "**met**" : "**missed**")} ({Report.F(share * 100, "0")}%) |");
        Report.Line($"| `GET /v1/metrics` 7-day hourly p95 per customer: p95 ≤ 50 ms | {(query.Percentile(95) <= 50 ? "**met**" : "**missed**")} ({Report.F(query.Percentile(95), "0.0")} ms) |");
        Report.Line($"| sketch relative error ≤ 2% | {(worst.Values.Max() <= 0.02 ? "**met**" : "**missed**")} (worst {Report.F(worst.Values.Max() * 100, "0.00")}%) |");
        Report.Line();
        Directory.Delete(directory, recursive: true);
    }

    private static double Normal(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>This process's CPU time, summed over the windows it was started and stopped (all threads: SQLite's too).</summary>
    private sealed class CpuClock
    {
        private TimeSpan _started;

        public TimeSpan Elapsed { get; private set; }

        public void Start() => _started = Process.GetCurrentProcess().TotalProcessorTime;

        public void Stop() => Elapsed += Process.GetCurrentProcess().TotalProcessorTime - _started;
    }
}
