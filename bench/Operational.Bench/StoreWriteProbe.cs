using System.Diagnostics;
using Operational.Contracts.Events;
using Operational.ServiceDefaults.Storage;
using Operational.Storage.Events.Sqlite;

namespace Operational.Bench;

/// <summary>
/// Storage's ceiling: the SQLite event store's write path alone (what the storage service's
/// consumer calls), in this process, with no bus and no HTTP, at a given number of events per
/// transaction.
/// </summary>
internal static class StoreWriteProbe
{
    public sealed record Result(int EventsPerTransaction, double EventsPerSecond, double CpuMicrosecondsPerEvent);

    public static async Task<Result> RunAsync(string dataDirectory, int events, int eventsPerTransaction)
    {
        var directory = Path.Combine(dataDirectory, "store-write-" + Guid.NewGuid().ToString("N"));
        try
        {
            var store = new SqliteEventStore(new SqliteDatabase(Path.Combine(directory, "events.db")));
            await store.InitializeAsync(CancellationToken.None);
            var generator = new DataGenerator();
            var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            var all = Enumerable.Range(0, events).Select(n => generator.Event("bench", n, now)).ToList();
            var warmUp = events / 10;
            await WriteAsync(store, all.GetRange(0, warmUp), eventsPerTransaction);

            using var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var measured = all.GetRange(warmUp, events - warmUp);
            await WriteAsync(store, measured, eventsPerTransaction);
            process.Refresh();
            var cpu = process.TotalProcessorTime - cpuBefore;
            return new Result(eventsPerTransaction, measured.Count / clock.Elapsed.TotalSeconds, cpu.TotalMicroseconds / measured.Count);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task WriteAsync(SqliteEventStore store, List<IngestedEvent> events, int eventsPerTransaction)
    {
        for (var start = 0; start < events.Count; start += eventsPerTransaction)
        {
            await store.AppendAsync(events.GetRange(start, Math.Min(eventsPerTransaction, events.Count - start)), CancellationToken.None);
        }
    }
}
