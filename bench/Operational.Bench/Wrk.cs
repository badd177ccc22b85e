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
    public sealed record Result(double RequestsPerSecond, long Requests, long Non2xx, string P99);

    public static bool IsInstalled => File.Exists("/usr/bin/wrk");

    public static async Task<Result> RunAsync(Uri target, string key, TimeSpan duration, int connections)
    {
        var script = Path.Combine(Path.GetTempPath(), $"operational-wrk-{Environment.ProcessId}.lua");
        await File.WriteAllTextAsync(script, $$"""
            wrk.method = "POST"
            wrk.body = '{{DataGenerator.RequestBody(1)}}'
            wrk.headers["Content-Type"] = "application/json"
            wrk.headers["Authorization"] = "Bearer {{key}}"
            """);
        try
        {
            var start = new ProcessStartInfo("/usr/bin/wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in (string[])["-t2", $"-c{connections}", $"-d{(int)duration.TotalSeconds}s", "--latency", "-s", script, new Uri(target, "/v1/events").ToString()])
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            var rps = double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
            var requests = long.Parse(Requests().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
            var non2xx = NonSuccess().Match(output) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
            var p99 = P99().Match(output).Groups[1].Value;
            return new Result(rps, requests, non2xx, p99);
        }
        finally
        {
            File.Delete(script);
        }
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex Requests();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex NonSuccess();

    [GeneratedRegex(@"99%\s+(\S+)")]
    private static partial Regex P99();
}
