using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Operational.Notifications.Outbound;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;
using Operational.ServiceDefaults.Time;
using Operational.ServiceDefaults.Requests;
using Operational.ServiceDefaults.Validation;

namespace Operational.Notifications.Push;

public sealed record VapidPublicKeyResponse(string PublicKey);

/// <summary>What <c>PushSubscription.toJSON()</c> gives in the browser.</summary>
/// <param name="ExpirationTime">
/// When the push service ends the subscription (ms since the epoch), usually null. Accepted because
/// browsers send it; not used: an ended subscription answers 404 or 410 and is then removed.
/// </param>
public sealed record PushSubscriptionRequest(string? Endpoint, PushSubscriptionKeys? Keys, double? ExpirationTime = null);

public sealed record PushSubscriptionKeys(string? P256dh, string? Auth);

/// <summary>A subscription as answers show it: its keys stay with the service.</summary>
public sealed record PushSubscriptionResponse(string Id, string Endpoint, DateTimeOffset CreatedAt);

public sealed record PushSubscriptionListResponse(IReadOnlyList<PushSubscriptionResponse> Subscriptions);

/// <summary>
/// <c>/v1/push</c>: the VAPID public key browsers subscribe with, and the project's push
/// subscriptions (an operator's device turning push on or off). A read key suffices: whoever may
/// see the project's events may have them pushed.
/// </summary>
public static class PushEndpoints
{
    public static IEndpointRouteBuilder MapPush(this IEndpointRouteBuilder endpoints)
    {
        var push = endpoints.MapGroup("/v1/push").WithTags("Push").RequireAuthorization(Policies.Read);
        push.MapGet("/vapid-public-key", (VapidKeys keys) => TypedResults.Ok(new VapidPublicKeyResponse(Base64Url.EncodeToString(keys.Current.PublicKey))))
            .WithName("GetVapidPublicKey");
        push.MapGet("/subscriptions", ListAsync).WithName("ListPushSubscriptions");
        push.MapPost("/subscriptions", SubscribeAsync).WithName("AddPushSubscription").WithJsonBodyLimit(4 * 1024);
        push.MapDelete("/subscriptions/{subscriptionId}", UnsubscribeAsync).WithName("DeletePushSubscription");
        push.MapDelete("/subscriptions", UnsubscribeEndpointAsync).WithName("DeletePushSubscriptionByEndpoint");
        return endpoints;
    }

    private static async Task<Ok<PushSubscriptionListResponse>> ListAsync(HttpContext http, IPushStore store, CancellationToken ct) =>
        TypedResults.Ok(new PushSubscriptionListResponse(
            (await store.SubscriptionsAsync(http.User.GetProjectId(), ct)).Select(s => new PushSubscriptionResponse(s.Id, s.Endpoint, s.CreatedAt)).ToList()));

    private static async Task<Results<Created<PushSubscriptionResponse>, Ok<PushSubscriptionResponse>, ValidationProblem>> SubscribeAsync(
        HttpContext http, JsonBody<PushSubscriptionRequest> body, IPushStore store, IOptions<NotificationsOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var request = body.Value;
        var errors = new FieldErrors();
        if (OutboundAddresses.CheckUrl(request.Endpoint, httpsOnly: true, options.Value.Outbound.AllowedHosts) is { } problem)
        {
            errors.Add("endpoint", problem);
        }

        var p256dh = Decode(request.Keys?.P256dh);
        if (p256dh is not { Length: 65 } || !IsPoint(p256dh))
        {
            errors.Add("keys.p256dh", "is required: the subscription's P-256 public key, base64url (65 bytes uncompressed)");
        }

        var auth = Decode(request.Keys?.Auth);
        if (auth is not { Length: 16 })
        {
            errors.Add("keys.auth", "is required: the subscription's auth secret, base64url (16 bytes)");
        }

        if (!errors.IsEmpty)
        {
            return ApiProblems.Validation(errors);
        }

        var now = clock.GetUtcNowMs();
        var candidate = new PushSubscription("ps_" + Guid.CreateVersion7(now).ToString("N"), http.User.GetProjectId(), request.Endpoint!, p256dh!, auth!, now);
        var stored = await store.SaveSubscriptionAsync(candidate, ct);
        var response = new PushSubscriptionResponse(stored.Id, stored.Endpoint, stored.CreatedAt);
        return stored.Id == candidate.Id
            ? TypedResults.Created($"/v1/push/subscriptions/{stored.Id}", response)
            : TypedResults.Ok(response); // the same device subscribing again: its keys were refreshed
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> UnsubscribeAsync(HttpContext http, string subscriptionId, IPushStore store, CancellationToken ct) =>
        await store.DeleteSubscriptionAsync(http.User.GetProjectId(), subscriptionId, ct)
            ? TypedResults.NoContent()
            : ApiProblems.NotFound($"No push subscription with id '{subscriptionId}' in this project.");

    /// <summary>What a browser that only knows its own <c>PushSubscription</c> calls when push is turned off: <c>?endpoint=…</c>.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> UnsubscribeEndpointAsync(
        HttpContext http, string? endpoint, IPushStore store, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return ApiProblems.Validation("endpoint", "is required: the subscription's endpoint, or use DELETE /v1/push/subscriptions/{id}");
        }

        var projectId = http.User.GetProjectId();
        var subscription = (await store.SubscriptionsAsync(projectId, ct)).FirstOrDefault(s => s.Endpoint == endpoint);
        return subscription is not null && await store.DeleteSubscriptionAsync(projectId, subscription.Id, ct)
            ? TypedResults.NoContent()
            : ApiProblems.NotFound("No push subscription with this endpoint in this project.");
    }

    private static byte[]? Decode(string? base64Url)
    {
        if (string.IsNullOrEmpty(base64Url) || base64Url.Length > 200)
        {
            return null;
        }

        try
        {
            return Base64Url.DecodeFromChars(base64Url.TrimEnd('='));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Whether the bytes are a point on P-256 (a key the browser could have made).</summary>
    private static bool IsPoint(byte[] point)
    {
        try
        {
            using var key = WebPushEncryption.ImportPublicKey(point);
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
