using Operational.Contracts.Alerts;
using Operational.Rules.Definitions;

namespace Operational.Rules.Evaluation;

/// <summary>Builds the snapshot an alert carries from the rule that raised it.</summary>
public static class AlertSnapshots
{
    public static AlertSnapshot For(CompiledRule rule, string? group, AlertEvidence evidence, DateTimeOffset at, string? alertId = null) => new(
        alertId ?? Guid.CreateVersion7(at).ToString(),
        rule.ProjectId,
        rule.Id,
        rule.Name,
        rule.Kind,
        group,
        evidence,
        rule.Channels,
        at);

    /// <summary>The first bucket of a window that ends now: sums start here.</summary>
    public static DateTimeOffset WindowStart(CompiledRule rule, DateTimeOffset now) => BucketOf(rule, now - rule.Window);

    public static DateTimeOffset BucketOf(CompiledRule rule, DateTimeOffset time)
    {
        var size = (long)rule.Bucket.TotalMilliseconds;
        var ms = time.ToUnixTimeMilliseconds();
        return DateTimeOffset.FromUnixTimeMilliseconds(ms - (((ms % size) + size) % size));
    }
}
