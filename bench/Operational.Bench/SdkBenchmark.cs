using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Nodes;
using Operational.Client;
using Operational.TestSupport;
using SdkClient = Operational.Client.OperationalClient;

namespace Operational.Bench;

/// <summary>
/// The C# SDK's background sender against the standalone host as its own process, next to the
/// simplest code an app could write instead — <see cref="HttpClient"/> posting batches of the same
/// size, one at a time, to the same host in the same run — so the SDK's cost reads as a ratio.
/// Also the app's side: what one <c>Send</c> costs the calling thread.
/// </summary>
internal static class SdkBenchmark
{
    private const string IngestKey = IngestBenchmark.IngestKey;
    private const int BatchSize = 200;

    public static async Task RunAsync(int events, string dataDirectory)
    {
        var directory = Path.Combine(dataDirectory, "sdk");
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        Directory.CreateDirectory(directory);
        await using var host = await IngestBenchmark.StartStandaloneAsync(directory);

        Report.Progress($"SDK: warming up the host and both senders ({events / 10:N0} events each)...");
        await RawBatchesAsync(host.Address, events / 10);
        await SdkAsync(host.Address, events / 10);

        Report.Progress($"SDK: {events:N0} events by raw HttpClient batches, then by the SDK...");
        var raw = await RawBatchesAsync(host.Address, events);
        var sdk = await SdkAsync(host.Address, events);
        var send = SendCost();

        Report.Line("## C# SDK: the background sender");
        Report.Line();
        Report.Line($"{events:N0} events of the same shape (name, category, two tags, a client-made id) to the standalone host, in batches of {BatchSize}, one request at a time. " +
            "CPU and allocations are this process's (the sender's side) per event; the host runs as its own process.");
        Report.Line();
        Report.Line("| sender | events/s accepted | ratio to raw HttpClient | sender CPU µs per event | allocated per event | dropped |");
        Report.Line("|---|---|---|---|---|---|");
        Report.Line($"| raw HttpClient, System.Text.Json batches (the comparison) | {Report.F(raw.PerSecond)} | 1 | {Report.F(raw.CpuMicroseconds, "0.0")} | {Report.F(raw.BytesPerEvent)} B | – |");
        Report.Line($"| Operational.Client: Send() into its buffer, sent in the background | {Report.F(sdk.PerSecond)} | {Report.F(sdk.PerSecond / raw.PerSecond, "0.00")} | {Report.F(sdk.CpuMicroseconds, "0.0")} | {Report.F(sdk.BytesPerEvent)} B | {sdk.Dropped} |");
        Report.Line();
        Report.Line($"What the app's thread pays for one `Send` (no network on that thread): {Report.F(send.Nanoseconds)} ns and {Report.F(send.BytesPerEvent)} B allocated on the calling thread, over {SendCostEvents:N0} calls.");
        Report.Line();
        Report.Line("| target | result |");
        Report.Line("|---|---|");
        Report.Line($"| nothing dropped while the server keeps up | {(sdk.Dropped == 0 ? "**met**" : "**missed**")} ({sdk.Dropped}) |");
        Report.Line($"| `Send` costs the app's thread no more than a microsecond and no per-event garbage beyond the event | {(send.Nanoseconds <= 1000 && send.BytesPerEvent <= 64 ? "**met**" : "**missed**")} ({Report.F(send.Nanoseconds)} ns, {Report.F(send.BytesPerEvent)} B) |");
        Report.Line();
    }

    private const int SendCostEvents = 100_000;

    private static readonly JsonSerializerOptions RawJson = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private sealed record Result(double PerSecond, double CpuMicroseconds, double BytesPerEvent, long Dropped);

    private static OperationalEvent Event(int i) => new("import finished")
    {
        Category = "imports",
        Tags = new Dictionary<string, JsonNode?> { ["customer"] = $"c{i % 1000}", ["durationMs"] = i % 5000 },
    };

    /// <summary>What an app writes without the SDK: a list, a batch body, a POST, wait, repeat.</summary>
    private static async Task<Result> RawBatchesAsync(Uri address, int events)
    {
        using var http = new HttpClient { BaseAddress = address };
        http.DefaultRequestHeaders.Authorization = new("Bearer", IngestKey);
        return await MeasureAsync(events, async () =>
        {
            for (var sent = 0; sent < events; sent += BatchSize)
            {
                var batch = new List<OperationalEvent>(BatchSize);
                for (var i = sent; i < Math.Min(sent + BatchSize, events); i++)
                {
                    batch.Add(Event(i) with { Id = Guid.CreateVersion7().ToString() });
                }

                using var response = await http.PostAsJsonAsync("/v1/events/batch", new { events = batch }, RawJson);
                response.EnsureSuccessStatusCode();
            }

            return 0;
        });
    }

    private static async Task<Result> SdkAsync(Uri address, int events)
    {
        var options = new OperationalClientOptions { BaseAddress = address, ApiKey = IngestKey, BatchSize = BatchSize };
        await using var client = new SdkClient(options);
        return await MeasureAsync(events, async () =>
        {
            for (var i = 0; i < events; i++)
            {
                // An app faster than the network for this long would fill the buffer: top it up to
                // the default capacity whenever half of it was sent (a poll per 10 ms costs nothing
                // measurable; one per event would), and count anything dropped anyway.
                if (client.Waiting >= options.BufferCapacity - 1)
                {
                    while (client.Waiting > options.BufferCapacity / 2)
                    {
                        await Task.Delay(10);
                    }
                }

                client.Send(Event(i));
            }

            await client.FlushAsync();
            return client.Dropped;
        });
    }

    private static async Task<Result> MeasureAsync(int events, Func<Task<long>> run)
    {
        GC.Collect();
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var dropped = await run();
        var elapsed = clock.Elapsed;
        process.Refresh();
        return new Result(events / elapsed.TotalSeconds, (process.TotalProcessorTime - cpu).TotalMicroseconds / events,
            (double)(GC.GetTotalAllocatedBytes(precise: true) - allocated) / events, dropped);
    }

    /// <summary>Send alone, into a buffer whose server never answers: the app thread's cost.</summary>
    private static (double Nanoseconds, double BytesPerEvent) SendCost()
    {
        var client = new SdkClient(new OperationalClientOptions
        {
            BaseAddress = new Uri("http://127.0.0.1:9"), ApiKey = IngestKey, BufferCapacity = SendCostEvents + 1, MaxRetryDelay = TimeSpan.FromMinutes(1),
        });
        var prepared = Enumerable.Range(0, SendCostEvents).Select(Event).ToArray();
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        foreach (var e in prepared)
        {
            client.Send(e);
        }

        var elapsed = clock.Elapsed;
        var bytes = GC.GetAllocatedBytesForCurrentThread() - allocated;
        _ = client.DisposeAsync().AsTask(); // its buffer is dropped, not waited for: the server is absent by design
        return (elapsed.TotalNanoseconds / SendCostEvents, (double)bytes / SendCostEvents);
    }
}
