using System.Globalization;
using Operational.Bench;

// bench/run.sh runs "all"; the parts can run alone, e.g. "query --events 1000000".
// The bare-Kestrel ceiling runs this same program as a separate process, told so by the environment.
var command = Environment.GetEnvironmentVariable("OPERATIONAL_BENCH_MODE") ?? args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "all";
string Option(string name, string fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
}

var events = long.Parse(Option("--events", "10000000"), CultureInfo.InvariantCulture);
var volumeRules = int.Parse(Option("--volume-rules", "10000"), CultureInfo.InvariantCulture);
var matchRules = int.Parse(Option("--match-rules", "1000"), CultureInfo.InvariantCulture);
var subscriptions = int.Parse(Option("--subscriptions", "1000"), CultureInfo.InvariantCulture);
var metricEvents = long.Parse(Option("--metric-events", "10000000"), CultureInfo.InvariantCulture);
var sdkEvents = int.Parse(Option("--sdk-events", "200000"), CultureInfo.InvariantCulture);
var seconds = int.Parse(Option("--seconds", "60"), CultureInfo.InvariantCulture);
var data = Path.GetFullPath(Option("--data", Path.Combine("bench", ".data")));
var results = Option("--results", "");
if (results.Length > 0)
{
    Report.OpenFile(results);
}

switch (command)
{
    case "kestrel":
        await BareKestrel.RunAsync(args);
        break;
    case "query":
        await QueryBenchmark.RunAsync(events, data);
        break;
    case "ingest":
        await Machine.DescribeAsync();
        await IngestBenchmark.RunAsync(seconds, data);
        break;
    case "rules":
        await Machine.DescribeAsync();
        await RulesBenchmark.RunAsync(volumeRules, matchRules, data);
        break;
    case "notifications":
        await Machine.DescribeAsync();
        await NotificationsBenchmark.RunAsync(subscriptions, data);
        break;
    case "metrics":
        await Machine.DescribeAsync();
        await MetricsBenchmark.RunAsync(metricEvents, data);
        break;
    case "sdk":
        await Machine.DescribeAsync();
        await SdkBenchmark.RunAsync(sdkEvents, data);
        break;
    case "all":
        await Machine.DescribeAsync();
        await QueryBenchmark.RunAsync(events, data);
        await IngestBenchmark.RunAsync(seconds, data);
        await RulesBenchmark.RunAsync(volumeRules, matchRules, data);
        await NotificationsBenchmark.RunAsync(subscriptions, data);
        await SdkBenchmark.RunAsync(sdkEvents, data);
        await MetricsBenchmark.RunAsync(metricEvents, data);
        break;
    default:
        Console.Error.WriteLine("usage: Operational.Bench [all|query|ingest|rules|notifications|sdk|metrics] [--events N] [--sdk-events N] [--metric-events N] [--seconds S] [--volume-rules N] [--match-rules N] [--subscriptions N] [--data DIR] [--results FILE]");
        return 2;
}

return 0;
