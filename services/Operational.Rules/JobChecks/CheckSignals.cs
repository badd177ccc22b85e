using System.Globalization;
using System.Text.Json;
using Operational.Contracts.Checks;
using Operational.Contracts.Events;

namespace Operational.Rules.JobChecks;

/// <summary>
/// What a ping's event says, read back from the tags the gateway gives it (<c>check</c>,
/// <c>signal</c>, <c>exitStatus</c>, <c>durationMs</c>); its content is the run's output.
/// </summary>
public static class CheckSignals
{
    /// <summary>The category of every ping's event.</summary>
    public const string Category = "checks";

    public const string CheckTag = "check";
    public const string SignalTag = "signal";
    public const string ExitStatusTag = "exitStatus";
    public const string DurationTag = "durationMs";

    /// <summary>
    /// The group of a check's failure alert: apart from its lateness alert (no group), which the
    /// scheduled check resolves whenever the check is not late — a failure stays open until a success.
    /// </summary>
    public const string FailedGroup = "failed";

    public static string? SignalOf(IngestedEvent e) => Text(e, SignalTag) is { } signal && PingSignals.All.Contains(signal) ? signal : null;

    public static int? ExitStatusOf(IngestedEvent e) => Number(e, ExitStatusTag) is { } n ? (int)n : null;

    public static TimeSpan? DurationOf(IngestedEvent e) => Number(e, DurationTag) is { } ms ? TimeSpan.FromMilliseconds(ms) : null;

    public static string? OutputOf(IngestedEvent e) =>
        e.Content is { ValueKind: JsonValueKind.String } content && content.GetString() is { Length: > 0 } text
            ? text.Length <= RunPairing.MaxKeptOutput ? text : text[..RunPairing.MaxKeptOutput]
            : null;

    /// <summary>"'Backup' failed with exit status 3 after 12 s."</summary>
    public static string FailureSummary(IngestedEvent e)
    {
        var status = ExitStatusOf(e) is { } code ? $" with exit status {code}" : "";
        var took = DurationOf(e) is { } d ? $" after {Seconds(d)}" : "";
        return $"'{e.Name}' failed{status}{took}.";
    }

    public static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s";

    private static string? Text(IngestedEvent e, string tag) =>
        e.Tags?.TryGetValue(tag, out var value) == true && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Number(IngestedEvent e, string tag) =>
        e.Tags?.TryGetValue(tag, out var value) == true && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) ? n : null;
}
