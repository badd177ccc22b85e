namespace Operational.Contracts.Events;

/// <summary>
/// One bus message per group commit at the gateway: every event accepted in the same
/// short window travels together, and the gateway answers each request only after the
/// broker confirmed this message. Consumers must treat an event id they already hold as
/// processed, because a batch can be delivered more than once.
/// </summary>
/// <param name="BatchId">Identifies the batch for tracing and logs; not used for deduplication.</param>
/// <param name="AcceptedAt">When the gateway accepted the last event of the batch.</param>
/// <param name="Events">The events, possibly from several projects.</param>
public sealed record EventsIngested(
    Guid BatchId,
    DateTimeOffset AcceptedAt,
    IReadOnlyList<IngestedEvent> Events);
