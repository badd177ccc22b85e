using System.Text.Json;
using Operational.Contracts.Events;

namespace Operational.Gateway.Ingest;

/// <summary>One valid event as the client described it, before it gets its project, id and receive time.</summary>
internal sealed record EventDraft(string? ClientId, string Name)
{
    /// <summary>A timestamp this far behind the receive time marks the event as backfilled history.</summary>
    public static readonly TimeSpan BackfillThreshold = TimeSpan.FromMinutes(5);

    public string? Avatar { get; init; }

    public string? Category { get; init; }

    public string Type { get; init; } = EventTypes.Text;

    public JsonElement? Content { get; init; }

    public string? ContextId { get; init; }

    public bool ContextStart { get; init; }

    public bool ContextEnd { get; init; }

    public int? ContextTimeout { get; init; }

    public IReadOnlyList<EventAction>? Actions { get; init; }

    public bool Notify { get; init; }

    public bool Test { get; init; }

    public string? UserId { get; init; }

    public IReadOnlyDictionary<string, JsonElement>? Tags { get; init; }

    public string Level { get; init; } = EventLevels.Info;

    public DateTimeOffset? Timestamp { get; init; }

    public IReadOnlyList<EventWarning>? Warnings { get; init; }

    /// <param name="now">The receive time, already at millisecond precision.</param>
    public IngestedEvent ToIngested(string projectId, DateTimeOffset now)
    {
        var timestamp = Timestamp ?? now;
        return new IngestedEvent(
            Id: ClientId ?? Guid.CreateVersion7(now).ToString(),
            ProjectId: projectId,
            Name: Name,
            Avatar: Avatar,
            Category: Category,
            Content: Content,
            Timestamp: timestamp,
            ReceivedAt: now)
        {
            Type = Type,
            ContextId = ContextId,
            ContextStart = ContextStart,
            ContextEnd = ContextEnd,
            ContextTimeout = ContextTimeout,
            Actions = Actions,
            Notify = Notify,
            Test = Test,
            UserId = UserId,
            Tags = Tags,
            Level = Level,
            Backfilled = now - timestamp > BackfillThreshold,
            Warnings = Warnings,
        };
    }
}
