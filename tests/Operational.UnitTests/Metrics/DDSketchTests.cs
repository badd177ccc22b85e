using Operational.ServiceDefaults.Statistics;
using Operational.Storage.Metrics;

namespace Operational.UnitTests.Metrics;

/// <summary>
/// The paper's guarantee (DDSketch, VLDB 2019, Theorem 2): for every quantile q, the sketch answers
/// within a relative error α of the exact value of rank ⌊q(n − 1)⌋. Checked against sorted data
/// from distributions with long tails (where percentile sketches usually fail) and after merging.
/// </summary>
public sealed class DDSketchTests
{
    private static readonly double[] Quantiles = [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];

    public static TheoryData<string> Distributions => new() { "uniform", "lognormal", "pareto", "exponential", "mixed-sign", "constant" };

    [Theory]
    [MemberData(nameof(Distributions))]
    public void Every_quantile_is_within_the_relative_accuracy_of_the_exact_one(string distribution)
    {
        var values = Sample(distribution, 100_000, seed: 7);
        var sketch = new DDSketch();
        foreach (var v in values)
        {
            sketch.Add(v);
        }

        AssertWithinBound(sketch, values);
        Assert.Equal(values.Length, sketch.Count);
    }

    [Fact]
    public void Merged_sketches_answer_as_one_sketch_of_all_values_and_survive_serialization()
    {
        var values = Sample("lognormal", 60_000, seed: 11);
        var parts = Enumerable.Range(0, 6).Select(_ => new DDSketch()).ToArray();
        for (var i = 0; i < values.Length; i++)
        {
            parts[i % parts.Length].Add(values[i]);
        }

        var merged = new DDSketch();
        foreach (var part in parts)
        {
            merged.Merge(DDSketch.FromBytes(part.ToBytes()));
        }

        AssertWithinBound(merged, values);
    }

    [Fact]
    public void Subtracting_a_merged_part_leaves_exactly_the_sketch_of_the_rest()
    {
        var shown = Sample("pareto", 20_000, seed: 3);
        var rest = Sample("uniform", 30_000, seed: 5);
        var all = new DDSketch();
        var part = new DDSketch();
        var restAlone = new DDSketch();
        foreach (var v in shown)
        {
            all.Add(v);
            part.Add(v);
        }

        foreach (var v in rest)
        {
            all.Add(v);
            restAlone.Add(v);
        }

        all.Subtract(part);

        Assert.Equal(restAlone.ToBytes(), all.ToBytes());
        AssertWithinBound(all, rest);
    }

    [Fact]
    public void Empty_sketch_has_no_quantiles_and_serializes_small()
    {
        var sketch = new DDSketch();
        Assert.Null(sketch.Quantile(0.5));
        Assert.True(sketch.ToBytes().Length <= 4);
        Assert.Null(DDSketch.FromBytes(sketch.ToBytes()).Quantile(0.5));
    }

    [Fact]
    public void Durations_in_milliseconds_use_a_few_hundred_buckets()
    {
        var sketch = new DDSketch();
        foreach (var v in Sample("lognormal", 100_000, seed: 1))
        {
            sketch.Add(v);
        }

        Assert.InRange(sketch.Buckets, 50, 1000);
        Assert.True(sketch.ToBytes().Length < 4 * sketch.Buckets, $"{sketch.ToBytes().Length} bytes for {sketch.Buckets} buckets");
    }

    private static void AssertWithinBound(DDSketch sketch, double[] values)
    {
        var sorted = values.Order().ToArray();
        foreach (var q in Quantiles)
        {
            var exact = sorted[(int)(q * (sorted.Length - 1))];
            var estimate = sketch.Quantile(q)!.Value;
            var error = exact == 0 ? Math.Abs(estimate) : Math.Abs(estimate - exact) / Math.Abs(exact);
            Assert.True(error <= DDSketch.RelativeAccuracy + 1e-12, $"q={q}: exact {exact}, sketch {estimate}, relative error {error:P3}");
        }
    }

    private static double[] Sample(string distribution, int n, int seed)
    {
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return Enumerable.Range(0, n).Select(_ => distribution switch
        {
            "uniform" => random.NextDouble() * 1000,
            "lognormal" => Math.Exp(5 + (1.5 * Normal())), // durations in ms: median ~150, a long tail
            "pareto" => 10 / Math.Pow(1 - random.NextDouble(), 1 / 1.2),
            "exponential" => -Math.Log(1 - random.NextDouble()) * 250,
            "mixed-sign" => (random.NextDouble() - 0.3) * 1e6, // refunds and payments
            _ => 42.0,
        }).ToArray();
    }
}
