using System.Security.Cryptography;

namespace Operational.Notifications.Push;

/// <summary>
/// The installation's VAPID key pair, loaded at start, or generated and stored on the very first
/// start. Browsers subscribe against its public key, so it must never change behind their back.
/// </summary>
public sealed class VapidKeys(IPushStore store, TimeProvider clock, ILogger<VapidKeys> logger) : IHostedService
{
    private VapidKey? _key;

    public VapidKey Current => _key ?? throw new InvalidOperationException("The VAPID key is not loaded yet.");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var generated = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var candidate = new VapidKey(generated.ExportPkcs8PrivateKey(), WebPushEncryption.PublicKey(generated), clock.GetUtcNow());
        _key = await store.GetOrAddVapidKeyAsync(candidate, cancellationToken);
        if (_key.PublicKey.AsSpan().SequenceEqual(candidate.PublicKey))
        {
            logger.LogInformation("Generated the VAPID key pair for web push");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The private key, for signing one VAPID token; dispose it after use.</summary>
    public ECDsa SigningKey()
    {
        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(Current.PrivateKey, out _);
        return key;
    }
}
