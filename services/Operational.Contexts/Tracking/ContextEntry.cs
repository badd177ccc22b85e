using Operational.Contracts.Events;

namespace Operational.Contexts.Tracking;

/// <summary>What the contexts service keeps of one event of a context: enough to refold the context from its entries.</summary>
public sealed record ContextEntry(
    string EventId,
    string Name,
    string? Avatar,
    string? Category,
    string Level,
    DateTimeOffset Timestamp,
    bool Start,
    bool End,
    int? TimeoutSeconds,
    bool Test,
    bool Backfilled)
{
    public static ContextEntry From(IngestedEvent e) => new(
        e.Id, e.Name, e.Avatar, e.Category, e.Level, e.Timestamp, e.ContextStart, e.ContextEnd, e.ContextTimeout, e.Test, e.Backfilled);
}

/// <summary>An entry with the context it belongs to.</summary>
public sealed record ContextEntryFor(string ProjectId, string ContextId, ContextEntry Entry)
{
    /// <summary>The entries of the events that carry a context id; the others are not the contexts service's business.</summary>
    public static IEnumerable<ContextEntryFor> FromEvents(IEnumerable<IngestedEvent> events) =>
        events.Where(e => e.ContextId is not null).Select(e => new ContextEntryFor(e.ProjectId, e.ContextId!, ContextEntry.From(e)));
}

/// <summary>The statuses a context can have. Only <see cref="Stalled"/> depends on the clock.</summary>
public static class ContextStatus
{
    public const string Open = "open";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Stalled = "stalled";

    public static readonly IReadOnlyList<string> All = [Open, Completed, Failed, Stalled];
}
