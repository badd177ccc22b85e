using Operational.Rules.Definitions;

namespace Operational.Rules.Evaluation;

/// <summary>The buckets a rule counts in: a sixtieth of its window (at least a second), aligned to the epoch.</summary>
public static class RuleWindows
{
    /// <summary>The first bucket of a window that ends now: sums start here.</summary>
    public static DateTimeOffset WindowStart(CompiledRule rule, DateTimeOffset now) => BucketOf(rule, now - rule.Window);

    public static DateTimeOffset BucketOf(CompiledRule rule, DateTimeOffset time)
    {
        var size = (long)rule.Bucket.TotalMilliseconds;
        var ms = time.ToUnixTimeMilliseconds();
        return DateTimeOffset.FromUnixTimeMilliseconds(ms - (((ms % size) + size) % size));
    }
}
