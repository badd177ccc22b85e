using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Operational.Notifications.Deliveries;
using Operational.Notifications.Deliveries.Senders;
using Operational.Notifications.Outbound;

namespace Operational.Notifications.Push;

/// <summary>
/// Sends a delivery to one push subscription: the message as JSON (title, body, url, level, type),
/// encrypted for the subscription (RFC 8291), with a VAPID token (RFC 8292). A 404 or 410 means
/// the subscription is gone: it is removed and the delivery ends. A 429's Retry-After is honoured.
/// </summary>
public sealed class WebPushSender(
    IHttpClientFactory http, VapidKeys vapid, IPushStore store, IOptions<NotificationsOptions> options, TimeProvider clock, ILogger<WebPushSender> logger)
{
    /// <summary>A delivery's pseudo-channel id for one subscription.</summary>
    public const string TargetPrefix = "push:";

    /// <summary>
    /// VAPID headers by push-service origin, reused until an hour before they expire: the token
    /// names only the origin, so signing one per message (an ECDSA signature each) is wasted work
    /// when a message fans out to many devices on the same service.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string Header, DateTimeOffset RenewAt)> _vapidHeaders = new(StringComparer.Ordinal);

    public static string TargetFor(string subscriptionId) => TargetPrefix + subscriptionId;

    private string VapidHeader(Uri endpoint)
    {
        var origin = endpoint.GetLeftPart(UriPartial.Authority);
        var now = clock.GetUtcNow();
        if (_vapidHeaders.TryGetValue(origin, out var cached) && now < cached.RenewAt)
        {
            return cached.Header;
        }

        using var key = vapid.SigningKey();
        var header = VapidToken.AuthorizationHeader(endpoint, options.Value.Push.Subject, key, now);
        _vapidHeaders[origin] = (header, now + VapidToken.Lifetime - TimeSpan.FromHours(1));
        return header;
    }

    public async Task<AttemptResult> SendAsync(PushSubscription subscription, Delivery delivery, CancellationToken cancellationToken)
    {
        var m = delivery.Message;
        // An alert's acknowledge link becomes the notification's "Acknowledge" button.
        var ack = m.Data is { ValueKind: JsonValueKind.Object } data && data.TryGetProperty("acknowledgeUrl", out var link) ? link.GetString() : null;
        // One notification per alert on a device: its resolution (or reminder) replaces it instead of piling up.
        var tag = m.Data is { ValueKind: JsonValueKind.Object } alert && m.Type.StartsWith("alert.", StringComparison.Ordinal) && alert.TryGetProperty("alertId", out var alertId)
            ? "alert:" + alertId.GetString()
            : null;
        var payload = JsonSerializer.SerializeToUtf8Bytes(new { title = m.Title, body = m.Body, url = m.Url, level = m.Level, type = m.Type, id = delivery.SourceId, project = delivery.ProjectId, ack, tag });
        var endpoint = new Uri(subscription.Endpoint);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new ByteArrayContent(WebPushEncryption.Encrypt(payload, subscription.P256dh, subscription.Auth)),
        };
        request.Content.Headers.ContentType = new("application/octet-stream");
        request.Content.Headers.ContentEncoding.Add("aes128gcm");
        request.Headers.Add("TTL", "86400");
        request.Headers.Add("Urgency", m.Level == "error" ? "high" : "normal");
        request.Headers.TryAddWithoutValidation("Authorization", VapidHeader(endpoint));

        using var response = await http.CreateClient(OutboundHttp.ClientName).SendAsync(request, cancellationToken);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
        {
            await store.DeleteSubscriptionsByEndpointAsync(subscription.Endpoint, cancellationToken);
            logger.LogInformation("Push subscription {SubscriptionId} is gone ({Status}); removed it", subscription.Id, (int)response.StatusCode);
            return new AttemptResult(false, (int)response.StatusCode, "The push service says this subscription is gone; it was removed.", Permanent: true);
        }

        return await HttpOutcome.ReadAsync(response, clock, cancellationToken);
    }
}
