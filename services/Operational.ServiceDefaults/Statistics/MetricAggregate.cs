namespace Operational.ServiceDefaults.Statistics;

/// <summary>Count, sum, min, max and the quantile sketch of a series' values in one bucket.</summary>
public sealed class MetricAggregate
{
    public long Count { get; private set; }

    public double Sum { get; private set; }

    public double Min { get; private set; } = double.PositiveInfinity;

    public double Max { get; private set; } = double.NegativeInfinity;

    public DDSketch Sketch { get; private init; } = new();

    public void Add(double value)
    {
        Count++;
        Sum += value;
        Min = Math.Min(Min, value);
        Max = Math.Max(Max, value);
        Sketch.Add(value);
    }

    public void Merge(MetricAggregate other)
    {
        Count += other.Count;
        Sum += other.Sum;
        Min = Math.Min(Min, other.Min);
        Max = Math.Max(Max, other.Max);
        Sketch.Merge(other.Sketch);
    }

    /// <summary>The rest once <paramref name="part"/> is taken out: exact for count, sum and the sketch; min and max are the whole's bounds.</summary>
    public MetricAggregate Without(MetricAggregate part)
    {
        var rest = new MetricAggregate { Count = Count - part.Count, Sum = Sum - part.Sum, Min = Min, Max = Max };
        rest.Sketch.Merge(Sketch);
        rest.Sketch.Subtract(part.Sketch);
        return rest;
    }

    public static MetricAggregate From(long count, double sum, double min, double max, ReadOnlySpan<byte> sketch) =>
        From(count, sum, min, max, DDSketch.FromBytes(sketch));

    public static MetricAggregate From(long count, double sum, double min, double max, DDSketch sketch) =>
        new() { Count = count, Sum = sum, Min = min, Max = max, Sketch = sketch };

    /// <summary>count, sum, avg, min, max, p50, p95, p99.</summary>
    public double? Statistic(string fn) => Count == 0 ? null : fn switch
    {
        "count" => Count,
        "sum" => Sum,
        "avg" => Sum / Count,
        "min" => Min,
        "max" => Max,
        "p50" => Sketch.Quantile(0.50),
        "p95" => Sketch.Quantile(0.95),
        "p99" => Sketch.Quantile(0.99),
        _ => null,
    };

    public static readonly IReadOnlyList<string> Statistics = ["count", "sum", "avg", "min", "max", "p50", "p95", "p99"];
}
