using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Operational.Bench;

/// <summary>Closed-loop HTTP load: <c>concurrency</c> workers, each sending its next event as soon as the previous one was answered.</summary>
internal sealed class LoadGenerator(Uri target, string key, int concurrency, int eventsPerRequest = 1)
{
    public sealed record Result(long Accepted, long Refused, long Failed, TimeSpan Elapsed, Samples Latency)
    {
        public double AcceptedPerSecond => Accepted / Elapsed.TotalSeconds;

        public IngestBenchmark.LoadSummary Summary(int eventsPerRequest = 1)
        {
            var requests = Accepted / eventsPerRequest + Refused + Failed;
            return new(Accepted, requests, Refused + Failed, requests / Elapsed.TotalSeconds,
                Latency.Percentile(99).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " ms");
        }
    }

    private long _accepted;

    public async Task<Result> RunAsync(TimeSpan duration)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = target,
            Timeout = TimeSpan.FromSeconds(30),
        };
        long refused = 0, failed = 0, sequence = 0;
        var latency = new Samples();
        var latencyLock = new object();
        var stop = Stopwatch.StartNew();
        async Task Worker()
        {
            while (stop.Elapsed < duration)
            {
                var n = Interlocked.Add(ref sequence, eventsPerRequest);
                using var request = eventsPerRequest == 1
                    ? new HttpRequestMessage(HttpMethod.Post, "/v1/events") { Content = new StringContent(DataGenerator.RequestBody(n), Encoding.UTF8, "application/json") }
                    : new HttpRequestMessage(HttpMethod.Post, "/v1/events/batch")
                    {
                        Content = new StringContent(
                            "{\"events\":[" + string.Join(',', Enumerable.Range(0, eventsPerRequest).Select(i => DataGenerator.RequestBody(n + i))) + "]}",
                            Encoding.UTF8,
                            "application/json"),
                    };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.SendAsync(request);
                    var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    if (response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK)
                    {
                        // A 200 batch answer lists every item as accepted: the events are all valid.
                        Interlocked.Add(ref _accepted, eventsPerRequest);
                        if (n % 10 == 0)
                        {
                            lock (latencyLock)
                            {
                                latency.Add(elapsed);
                            }
                        }
                    }
                    else if ((int)response.StatusCode == 503)
                    {
                        Interlocked.Increment(ref refused);
                        await Task.Delay(50);
                    }
                    else
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(Worker)));
        return new Result(Interlocked.Read(ref _accepted), refused, failed, stop.Elapsed, latency);
    }
}
