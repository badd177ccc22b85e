using System.Security.Cryptography;
using System.Text;
using Operational.Notifications.Channels;

namespace Operational.Notifications.Webhooks;

/// <summary>
/// Standard Webhooks signatures: <c>webhook-signature: v1,&lt;base64 HMAC-SHA256&gt;</c> over
/// <c>{webhook-id}.{webhook-timestamp}.{body}</c>, keyed by the base64 part of the channel's
/// <c>whsec_</c> secret. Receivers verify with any Standard Webhooks (or Svix) library.
/// </summary>
public static class WebhookSignature
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    /// <param name="messageId">Stays the same across retries of one message, so receivers can deduplicate.</param>
    /// <param name="timestamp">Seconds since the epoch at this attempt.</param>
    public static string Sign(string secret, string messageId, long timestamp, ReadOnlySpan<byte> body)
    {
        var key = Convert.FromBase64String(secret.StartsWith(ChannelValidator.WebhookSecretPrefix, StringComparison.Ordinal)
            ? secret[ChannelValidator.WebhookSecretPrefix.Length..]
            : secret);
        var prefix = Encoding.UTF8.GetBytes($"{messageId}.{timestamp}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }

    /// <summary>The three headers of one attempt.</summary>
    public static IReadOnlyList<(string Name, string Value)> Headers(string secret, string messageId, DateTimeOffset now, ReadOnlySpan<byte> body)
    {
        var timestamp = now.ToUnixTimeSeconds();
        return
        [
            (IdHeader, messageId),
            (TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (SignatureHeader, Sign(secret, messageId, timestamp, body)),
        ];
    }
}
