using System.Text.Json;

namespace Operational.Notifications.Deliveries;

/// <summary>What is told, whatever the channel: each sender lays it out its own way.</summary>
/// <param name="Type">What happened: <c>alert.triggered</c>, <c>alert.repeated</c>, <c>alert.resolved</c>, <c>channel.test</c>…</param>
/// <param name="Level">info, success, warning or error: how loud the channel should be.</param>
/// <param name="Url">Where to look, relative to the dashboard (opened by clicking a push notification).</param>
/// <param name="Data">The structured payload webhooks receive as <c>data</c>.</param>
/// <param name="Data">What a webhook receives as the message's <c>data</c> (an alert's snapshot); null: title, body, level and url.</param>
/// <param name="Fields">Values for channel templates besides <paramref name="Data"/>'s (an event's name, category, tags …); never sent.</param>
public sealed record NotificationMessage(string Type, string Title, string Body, string Level, string? Url, JsonElement? Data, JsonElement? Fields = null);

public static class DeliveryStatus
{
    /// <summary>Waiting for its next attempt.</summary>
    public const string Pending = "pending";

    public const string Succeeded = "succeeded";

    /// <summary>Every attempt failed, or the destination said it is gone for good.</summary>
    public const string Failed = "failed";

    public static readonly IReadOnlyList<string> All = [Pending, Succeeded, Failed];
}

/// <summary>
/// One message to one channel, with every attempt's outcome. Its id is the source message's and
/// the channel's, so a redelivered bus message does not deliver twice; webhooks get the source id
/// as <c>webhook-id</c>, the same across retries.
/// </summary>
public sealed record Delivery(
    string Id,
    string ProjectId,
    string ChannelId,
    string SourceId,
    NotificationMessage Message,
    string Status,
    int Attempts,
    DateTimeOffset NextAttemptAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? LastError = null,
    int? LastStatusCode = null,
    string? RemoteId = null)
{
    public static string IdFor(string sourceId, string channelId) => $"{sourceId}:{channelId}";
}

/// <summary>The outcome of one attempt.</summary>
/// <param name="Permanent">Retrying cannot help (the destination is gone, or refused the request as malformed).</param>
/// <param name="RetryAfter">The destination asked to wait this long (429 with Retry-After).</param>
/// <param name="RemoteId">What the channel calls the message it made (a Telegram message id), so a later message can edit it.</param>
/// <param name="Deferred">Not attempted (the channel's cap on messages a minute): it waits <paramref name="RetryAfter"/>, without counting as an attempt.</param>
public sealed record AttemptResult(bool Succeeded, int? StatusCode, string? Error, bool Permanent = false, TimeSpan? RetryAfter = null, string? RemoteId = null, bool Deferred = false)
{
    public static readonly AttemptResult Ok = new(true, null, null);
}
