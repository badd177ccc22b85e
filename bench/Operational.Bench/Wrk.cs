using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Operational.Bench;

/// <summary>
/// The same single-event POSTs sent by wrk (Debian's package), a C load generator that needs far
/// less CPU than .NET's HttpClient: on a 2-core box the client's CPU is the system's CPU.
/// Used when wrk is installed; the report says when it is not.
/// </summary>
internal static partial class Wrk
{
    /// <param name="Failed">Answers other than 2xx, and socket errors (connect, read, write, timeout).</param>
    public sealed record Result(double RequestsPerSecond, long Requests, long Failed, string P99)
    {
        public IngestBenchmark.LoadSummary Summary() => new(Requests - Failed, Requests, Failed, RequestsPerSecond, P99);
    }

    public static bool IsInstalled => File.Exists("/usr/bin/wrk");

    /// <summary>
    /// Runs wrk against <c>/v1/events</c>. Without <paramref name="rate"/> each connection sends its
    /// next request as soon as the previous one was answered (closed loop: as fast as the system
    /// answers). With it, requests are paced to that many per second in all (open loop: the load
    /// many independent apps put on the gateway, whatever its answers' timing); the achieved rate
    /// falls short of it only when every connection is waiting for an answer.
    /// </summary>
    public static async Task<Result> RunAsync(Uri target, string key, TimeSpan duration, int connections, int? rate = null)
    {
        const int threads = 2;
        var script = Path.Combine(Path.GetTempPath(), $"operational-wrk-{Environment.ProcessId}.lua");
        var pacing = rate is { } r ? $$"""
            -- wrk has no rate option; LuaJIT's FFI reads the monotonic clock, and delay() holds each
            -- request until the next free slot of this thread's share of the rate.
            local ffi = require("ffi")
            ffi.cdef[[
            typedef struct { long tv_sec; long tv_nsec; } operational_timespec;
            int clock_gettime(int clock_id, operational_timespec *tp);
            ]]
            local now_buffer = ffi.new("operational_timespec")
            local function now_ms()
              ffi.C.clock_gettime(1, now_buffer)
              return tonumber(now_buffer.tv_sec) * 1000 + tonumber(now_buffer.tv_nsec) / 1e6
            end
            local interval_ms = 1000 * {{threads}} / {{r}}
            local next_slot = nil
            function delay()
              local now = now_ms()
              next_slot = (next_slot or now) + interval_ms
              return math.max(0, next_slot - now)
            end
            """ : "";
        await File.WriteAllTextAsync(script, $$"""
            wrk.method = "POST"
            wrk.body = '{{DataGenerator.RequestBody(1)}}'
            wrk.headers["Content-Type"] = "application/json"
            wrk.headers["Authorization"] = "Bearer {{key}}"
            {{pacing}}
            """);
        try
        {
            var start = new ProcessStartInfo("/usr/bin/wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in (string[])[$"-t{threads}", $"-c{connections}", $"-d{(int)duration.TotalSeconds}s", "--latency", "-s", script, new Uri(target, "/v1/events").ToString()])
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            var rps = double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
            var requests = long.Parse(Requests().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
            var failed = NonSuccess().Match(output) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
            if (SocketErrors().Match(output) is { Success: true } errors)
            {
                failed += Enumerable.Range(1, 4).Sum(g => long.Parse(errors.Groups[g].Value, CultureInfo.InvariantCulture));
            }

            var p99 = P99().Match(output).Groups[1].Value;
            return new Result(rps, requests, failed, p99);
        }
        finally
        {
            File.Delete(script);
        }
    }

    /// <summary>A latency as wrk prints it ("24.14ms", "1.02s", "950.00us") in milliseconds.</summary>
    public static double Milliseconds(string text)
    {
        var match = Duration().Match(text);
        if (!match.Success)
        {
            return double.NaN;
        }

        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch { "us" => value / 1000, "ms" => value, "s" => value * 1000, "m" => value * 60_000, _ => double.NaN };
    }

    [GeneratedRegex(@"^([\d.]+)(us|ms|s|m)$")]
    private static partial Regex Duration();

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex Requests();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex NonSuccess();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();

    // The latency distribution's line; "…99%" can also end a thread-stats line.
    [GeneratedRegex(@"^\s+99%\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex P99();
}
