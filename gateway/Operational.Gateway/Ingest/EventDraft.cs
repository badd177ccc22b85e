using Operational.Contracts.Events;
using Operational.Ids;

namespace Operational.Gateway.Ingest;

/// <summary>
/// One valid event as the client described it. <see cref="Event"/> holds every field the client
/// sent; its id, project and times are filled in by <see cref="ToIngested"/> once the request's
/// project and receive time are known.
/// </summary>
/// <param name="ClientId">The client's idempotency key, if it sent one.</param>
/// <param name="Timestamp">When the client says the event happened, if it said so.</param>
internal sealed record EventDraft(string? ClientId, DateTimeOffset? Timestamp, IngestedEvent Event)
{
    /// <summary>A timestamp this far behind the receive time marks the event as backfilled history.</summary>
    public static readonly TimeSpan BackfillThreshold = TimeSpan.FromMinutes(5);

    /// <param name="now">The receive time, already at millisecond precision.</param>
    public IngestedEvent ToIngested(string projectId, DateTimeOffset now)
    {
        var timestamp = Timestamp ?? now;
        return Event with
        {
            Id = ClientId ?? EventIds.New(now),
            ProjectId = projectId,
            Timestamp = timestamp,
            ReceivedAt = now,
            Backfilled = now - timestamp > BackfillThreshold,
        };
    }
}
