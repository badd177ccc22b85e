namespace Operational.ServiceDefaults.Statistics;

/// <summary>
/// A quantile sketch with a relative-error guarantee (Masson, Rim and Lee, "DDSketch: A Fast and
/// Fully-Mergeable Quantile Sketch with Relative-Error Guarantees", VLDB 2019): a value x &gt; 0
/// falls in bucket ⌈log_γ x⌉ with γ = (1 + α) / (1 − α), and a bucket answers with
/// 2γ^i / (γ + 1), within α of every value in it. So every quantile comes back within a relative
/// error α of a value of that rank. Buckets are counts: merging two sketches adds them, and
/// subtracting a part (the groups shown) from the whole (every group) leaves exactly the sketch
/// of the rest ("other"). Buckets are never collapsed: with α = 1% a value range of 10⁻⁶ to 10¹²
/// needs at most ~2,100 of them, and durations or amounts use a few hundred.
/// </summary>
public sealed class DDSketch
{
    /// <summary>The relative accuracy of every quantile: the target is 2%; this keeps half of it.</summary>
    public const double RelativeAccuracy = 0.01;

    private static readonly double Gamma = (1 + RelativeAccuracy) / (1 - RelativeAccuracy);
    private static readonly double LogGamma = Math.Log(Gamma);

    /// <summary>Below this magnitude a value counts as zero (as the paper's implementations do).</summary>
    private const double MinIndexable = 1e-9;

    private readonly Dictionary<int, long> _positive = [];
    private readonly Dictionary<int, long> _negative = [];
    private long _zeros;

    public long Count { get; private set; }

    public void Add(double value, long count = 1)
    {
        if (double.IsNaN(value) || double.IsInfinity(value) || count <= 0)
        {
            return;
        }

        if (Math.Abs(value) < MinIndexable)
        {
            _zeros += count;
        }
        else
        {
            var buckets = value > 0 ? _positive : _negative;
            var index = Index(Math.Abs(value));
            buckets[index] = buckets.GetValueOrDefault(index) + count;
        }

        Count += count;
    }

    public void Merge(DDSketch other)
    {
        foreach (var (index, count) in other._positive)
        {
            _positive[index] = _positive.GetValueOrDefault(index) + count;
        }

        foreach (var (index, count) in other._negative)
        {
            _negative[index] = _negative.GetValueOrDefault(index) + count;
        }

        _zeros += other._zeros;
        Count += other.Count;
    }

    /// <summary>Removes a part that was merged in before (e.g. the shown groups from all groups); counts never go below zero.</summary>
    public void Subtract(DDSketch part)
    {
        static void Take(Dictionary<int, long> from, Dictionary<int, long> part)
        {
            foreach (var (index, count) in part)
            {
                var left = from.GetValueOrDefault(index) - count;
                if (left > 0)
                {
                    from[index] = left;
                }
                else
                {
                    from.Remove(index);
                }
            }
        }

        Take(_positive, part._positive);
        Take(_negative, part._negative);
        _zeros = Math.Max(0, _zeros - part._zeros);
        Count = _zeros + _positive.Values.Sum() + _negative.Values.Sum();
    }

    /// <summary>The value at quantile <paramref name="q"/> (0–1), within <see cref="RelativeAccuracy"/>; null when empty.</summary>
    public double? Quantile(double q)
    {
        if (Count == 0 || q is < 0 or > 1)
        {
            return null;
        }

        // The rank of the lower of the two values around q (as the paper's reference implementation).
        var rank = (long)(q * (Count - 1));
        long seen = 0;
        foreach (var (index, count) in _negative.OrderByDescending(b => b.Key))
        {
            seen += count;
            if (seen > rank)
            {
                return -Value(index);
            }
        }

        seen += _zeros;
        if (seen > rank)
        {
            return 0;
        }

        foreach (var (index, count) in _positive.OrderBy(b => b.Key))
        {
            seen += count;
            if (seen > rank)
            {
                return Value(index);
            }
        }

        return _positive.Count > 0 ? Value(_positive.Keys.Max()) : 0;
    }

    /// <summary>The counts of positive values by bucket index (for stores that add counts in place, as MongoDB's <c>$inc</c>).</summary>
    public IReadOnlyDictionary<int, long> PositiveBuckets => _positive;

    /// <summary>The counts of negative values by the bucket index of their magnitude.</summary>
    public IReadOnlyDictionary<int, long> NegativeBuckets => _negative;

    /// <summary>Values counted as zero.</summary>
    public long Zeros => _zeros;

    /// <summary>A sketch from bucket counts a store kept (see <see cref="PositiveBuckets"/>).</summary>
    public static DDSketch FromBuckets(IEnumerable<KeyValuePair<int, long>> positive, IEnumerable<KeyValuePair<int, long>> negative, long zeros)
    {
        var sketch = new DDSketch { _zeros = zeros };
        foreach (var (index, count) in positive.Where(b => b.Value > 0))
        {
            sketch._positive[index] = count;
        }

        foreach (var (index, count) in negative.Where(b => b.Value > 0))
        {
            sketch._negative[index] = count;
        }

        sketch.Count = zeros + sketch._positive.Values.Sum() + sketch._negative.Values.Sum();
        return sketch;
    }

    /// <summary>Buckets in use (for tests and sizing).</summary>
    public int Buckets => _positive.Count + _negative.Count + (_zeros > 0 ? 1 : 0);

    /// <summary>Compact: a version byte, the zero count, then each side's buckets as (index delta, count) varints.</summary>
    public byte[] ToBytes()
    {
        using var stream = new MemoryStream(16 + ((_positive.Count + _negative.Count) * 3));
        stream.WriteByte(1);
        WriteVarint(stream, (ulong)_zeros);
        WriteSide(stream, _positive);
        WriteSide(stream, _negative);
        return stream.ToArray();
    }

    public static DDSketch FromBytes(ReadOnlySpan<byte> bytes)
    {
        var sketch = new DDSketch();
        if (bytes.Length == 0)
        {
            return sketch;
        }

        if (bytes[0] != 1)
        {
            throw new FormatException($"Unknown sketch version {bytes[0]}.");
        }

        var at = 1;
        sketch._zeros = (long)ReadVarint(bytes, ref at);
        ReadSide(bytes, ref at, sketch._positive);
        ReadSide(bytes, ref at, sketch._negative);
        sketch.Count = sketch._zeros + sketch._positive.Values.Sum() + sketch._negative.Values.Sum();
        return sketch;
    }

    private static int Index(double magnitude) => (int)Math.Ceiling(Math.Log(magnitude) / LogGamma);

    private static double Value(int index) => 2 * Math.Pow(Gamma, index) / (Gamma + 1);

    private static void WriteSide(Stream stream, Dictionary<int, long> buckets)
    {
        WriteVarint(stream, (ulong)buckets.Count);
        var previous = 0;
        foreach (var (index, count) in buckets.OrderBy(b => b.Key))
        {
            WriteVarint(stream, ZigZag(index - previous));
            WriteVarint(stream, (ulong)count);
            previous = index;
        }
    }

    private static void ReadSide(ReadOnlySpan<byte> bytes, ref int at, Dictionary<int, long> buckets)
    {
        var n = (int)ReadVarint(bytes, ref at);
        var index = 0;
        for (var i = 0; i < n; i++)
        {
            index += UnZigZag(ReadVarint(bytes, ref at));
            buckets[index] = (long)ReadVarint(bytes, ref at);
        }
    }

    private static ulong ZigZag(int value) => (ulong)((value << 1) ^ (value >> 31));

    private static int UnZigZag(ulong value) => (int)(value >> 1) ^ -(int)(value & 1);

    private static void WriteVarint(Stream stream, ulong value)
    {
        while (value >= 0x80)
        {
            stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        stream.WriteByte((byte)value);
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> bytes, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = bytes[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new FormatException("A sketch's number is too long.");
    }
}
