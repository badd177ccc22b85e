using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Operational.Contracts.Alerts;
using Operational.ServiceDefaults.Secrets;

namespace Operational.Rules.Alerts;

/// <summary>What a presented acknowledge link is worth.</summary>
public enum AcknowledgeLinkCheck
{
    Valid,

    /// <summary>Signed for this alert, but past its expiry.</summary>
    Expired,

    /// <summary>Not signed by this installation for this alert and expiry (another alert's, or altered).</summary>
    Forged,
}

/// <summary>
/// Links in alert messages that acknowledge the alert without signing in:
/// <c>/ack/{alertId}/{expires}/{signature}</c>, the signature HMAC-SHA256 over the alert id and the
/// expiry (Unix seconds) with a key derived for this purpose from the installation's secrets key.
/// A link acknowledges its own alert only, until the alert resolves or the link expires.
/// </summary>
public sealed class AcknowledgeLinks(SecretBox secrets, IOptions<RulesOptions> options)
{
    public const string Purpose = "operational/alert-acknowledge-link/v1";

    private readonly byte[] _key = secrets.DeriveKey(Purpose);

    /// <summary>The path of a link for <paramref name="alertId"/>, valid for <c>Rules:AcknowledgeLinkLifetime</c> from <paramref name="now"/>.</summary>
    public string PathFor(string alertId, DateTimeOffset now) => Path(_key, alertId, (now + options.Value.AcknowledgeLinkLifetime).ToUnixTimeSeconds());

    public AcknowledgeLinkCheck Check(string alertId, string expires, string signature, DateTimeOffset now) => Check(_key, alertId, expires, signature, now);

    /// <summary>The message with a fresh link for each person it tells, where one can acknowledge (an open alert's triggers, reminders and escalations).</summary>
    public object WithLink(object message, DateTimeOffset now) => message switch
    {
        AlertTriggered { Fired: false } t => t with { AcknowledgePath = PathFor(t.Alert.AlertId, now) },
        AlertRepeated r => r with { AcknowledgePath = PathFor(r.Alert.AlertId, now) },
        AlertEscalated e => e with { AcknowledgePath = PathFor(e.Alert.AlertId, now) },
        _ => message,
    };

    public static string Path(byte[] key, string alertId, long expires) =>
        $"/ack/{Uri.EscapeDataString(alertId)}/{expires.ToString(CultureInfo.InvariantCulture)}/{Sign(key, alertId, expires)}";

    public static AcknowledgeLinkCheck Check(byte[] key, string alertId, string expires, string signature, DateTimeOffset now)
    {
        if (!long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var at)
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(key, alertId, at)), Encoding.ASCII.GetBytes(signature)))
        {
            return AcknowledgeLinkCheck.Forged;
        }

        return now.ToUnixTimeSeconds() >= at ? AcknowledgeLinkCheck.Expired : AcknowledgeLinkCheck.Valid;
    }

    private static string Sign(byte[] key, string alertId, long expires) =>
        Base64Url.EncodeToString(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{alertId}\n{expires.ToString(CultureInfo.InvariantCulture)}")));
}
