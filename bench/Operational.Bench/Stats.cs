using System.Globalization;

namespace Operational.Bench;

/// <summary>Latency samples in milliseconds and their percentiles.</summary>
internal sealed class Samples
{
    private readonly List<double> _values = [];

    public void Add(double milliseconds) => _values.Add(milliseconds);

    public int Count => _values.Count;

    public double Percentile(double p)
    {
        if (_values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = _values.Order().ToList();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }

    public double Max => _values.Count == 0 ? double.NaN : _values.Max();

    public string Row(string name, double? target = null) =>
        string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {Count} | {Percentile(50):0.00} | {Percentile(95):0.00} | {Percentile(99):0.00} | {Max:0.00} | {(target is { } t ? $"≤ {t:0} ms: {(Percentile(95) <= t ? "met" : "MISSED")}" : "")} |");

    public const string Header = "| query | runs | p50 ms | p95 ms | p99 ms | max ms | target (p95) |\n|---|---|---|---|---|---|---|";
}

internal static class Report
{
    /// <summary>Everything printed also goes to the results file, so a run documents itself.</summary>
    private static StreamWriter? _file;

    public static void OpenFile(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _file = new StreamWriter(path, append: false) { AutoFlush = true };
    }

    public static void Line(string text = "")
    {
        Console.WriteLine(text);
        _file?.WriteLine(text);
    }

    public static void Progress(string text) => Console.Error.WriteLine(text);

    public static string F(double value, string format = "0") => value.ToString(format, CultureInfo.InvariantCulture);
}
