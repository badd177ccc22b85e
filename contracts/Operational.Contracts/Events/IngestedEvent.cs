using System.Text.Json;

namespace Operational.Contracts.Events;

/// <summary>
/// An event as the gateway accepted it: validated, owned by a project and given an id.
/// New members are added as optional ones only, so older consumers keep working with
/// newer gateways.
/// </summary>
/// <param name="Id">Client-supplied idempotency key or a server UUIDv7; unique within the project.</param>
/// <param name="ProjectId">The project the ingesting API key belongs to.</param>
/// <param name="Name">What happened, e.g. "user signed up".</param>
/// <param name="Avatar">A single emoji shown next to the event.</param>
/// <param name="Category">Free-form grouping shown as a channel in the feed.</param>
/// <param name="Content">Any JSON value, kept verbatim.</param>
/// <param name="Timestamp">When the event happened (millisecond precision, UTC).</param>
/// <param name="ReceivedAt">When the gateway accepted it (millisecond precision, UTC).</param>
public sealed record IngestedEvent(
    string Id,
    string ProjectId,
    string Name,
    string? Avatar,
    string? Category,
    JsonElement? Content,
    DateTimeOffset Timestamp,
    DateTimeOffset ReceivedAt);
