namespace Operational.Notifications.Push;

/// <summary>The installation's VAPID key pair: generated at first start, kept so subscriptions stay valid.</summary>
/// <param name="PrivateKey">PKCS#8 of the P-256 key.</param>
/// <param name="PublicKey">The uncompressed public point browsers subscribe with.</param>
public sealed record VapidKey(byte[] PrivateKey, byte[] PublicKey, DateTimeOffset CreatedAt);

/// <summary>A browser or phone of one of the project's operators that turned push on.</summary>
/// <param name="P256dh">The subscription's public key (uncompressed P-256 point).</param>
/// <param name="Auth">The subscription's 16-byte auth secret.</param>
public sealed record PushSubscription(string Id, string ProjectId, string Endpoint, byte[] P256dh, byte[] Auth, DateTimeOffset CreatedAt);

/// <summary>VAPID key and push subscriptions; the notifications store implements it next to the channels.</summary>
public interface IPushStore
{
    /// <summary>The stored key, or <paramref name="created"/> stored now if there was none (the first replica to store one wins).</summary>
    Task<VapidKey> GetOrAddVapidKeyAsync(VapidKey created, CancellationToken cancellationToken);

    /// <summary>Adds the subscription, or refreshes the keys of the project's subscription with the same endpoint; returns what is stored.</summary>
    Task<PushSubscription> SaveSubscriptionAsync(PushSubscription subscription, CancellationToken cancellationToken);

    Task<IReadOnlyList<PushSubscription>> SubscriptionsAsync(string projectId, CancellationToken cancellationToken);

    Task<PushSubscription?> GetSubscriptionAsync(string projectId, string subscriptionId, CancellationToken cancellationToken);

    Task<bool> DeleteSubscriptionAsync(string projectId, string subscriptionId, CancellationToken cancellationToken);

    /// <summary>Forgets a subscription the push service said is gone (404/410), in whatever project.</summary>
    Task DeleteSubscriptionsByEndpointAsync(string endpoint, CancellationToken cancellationToken);
}
