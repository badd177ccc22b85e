namespace Operational.Rules.Alerts;

/// <summary>
/// Mutes the alerts of a rule, of a group, or of a group of a rule, from <see cref="StartsAt"/> to
/// <see cref="EndsAt"/>: they still open and resolve (and show in <c>GET /v1/alerts</c>), but their
/// channels are not told. An alert still open when its silence ends is notified then. With a
/// <see cref="Cron"/> it is a maintenance window: it mutes only within each occurrence's window
/// (<see cref="MaintenanceWindow"/>) between its start and end.
/// </summary>
public sealed record Silence(
    string Id, string ProjectId, string? RuleId, string? Group, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string Comment, DateTimeOffset CreatedAt,
    string? Cron = null, string? TimeZone = null, int? DurationSeconds = null, string? Tag = null)
{
    /// <param name="tags">The rule's tags (a job check's); a silence with a <see cref="Tag"/> covers the rules carrying it.</param>
    public bool Covers(string ruleId, string? group, DateTimeOffset now, IReadOnlyList<string>? tags = null) =>
        StartsAt <= now && now < EndsAt && (RuleId is null || RuleId == ruleId) && (Group is null || Group == group)
        && (Tag is null || tags?.Contains(Tag, StringComparer.Ordinal) == true)
        && (MaintenanceWindow.Of(Cron, TimeZone, DurationSeconds) is not { } window || window.Covers(now));

    /// <summary>Whether it mutes anything at <paramref name="now"/> (for a maintenance window: inside one of its windows).</summary>
    public bool ActiveAt(DateTimeOffset now) =>
        StartsAt <= now && now < EndsAt && (MaintenanceWindow.Of(Cron, TimeZone, DurationSeconds) is not { } window || window.Covers(now));
}

public interface ISilenceStore
{
    Task AddSilenceAsync(Silence silence, CancellationToken cancellationToken);

    /// <summary>The project's silences, newest first; only those not ended at <paramref name="now"/> when <paramref name="activeOnly"/>.</summary>
    Task<IReadOnlyList<Silence>> SilencesAsync(string projectId, bool activeOnly, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Ends the silence at <paramref name="now"/>; false when it does not exist or had ended.</summary>
    Task<bool> EndSilenceAsync(string projectId, string silenceId, DateTimeOffset now, CancellationToken cancellationToken);
}
