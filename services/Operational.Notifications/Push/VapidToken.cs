using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;

namespace Operational.Notifications.Push;

/// <summary>
/// Voluntary Application Server Identification (RFC 8292): a JWT signed with ES256 by the
/// installation's VAPID key, addressed to the push service's origin, naming who to contact; sent
/// as <c>Authorization: vapid t=&lt;jwt&gt;, k=&lt;public key&gt;</c>.
/// </summary>
public static class VapidToken
{
    /// <summary>RFC 8292 §2: at most 24 hours; 12 leaves room for clock skew.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    private static readonly byte[] Header = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["typ"] = "JWT", ["alg"] = "ES256" });

    /// <param name="endpoint">The subscription's endpoint; the audience is its origin.</param>
    /// <param name="subject">A <c>mailto:</c> or <c>https:</c> URI the push service can reach the operator at.</param>
    public static string AuthorizationHeader(Uri endpoint, string subject, ECDsa key, DateTimeOffset now) =>
        $"vapid t={Create(endpoint, subject, key, now)}, k={Base64Url.EncodeToString(WebPushEncryption.PublicKey(key))}";

    public static string Create(Uri endpoint, string subject, ECDsa key, DateTimeOffset now)
    {
        var claims = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["aud"] = endpoint.GetLeftPart(UriPartial.Authority),
            ["exp"] = (now + Lifetime).ToUnixTimeSeconds(),
            ["sub"] = subject,
        });
        var signingInput = Base64Url.EncodeToString(Header) + "." + Base64Url.EncodeToString(claims);
        // JWS ES256 wants r || s (64 bytes), which is .NET's IEEE P1363 format.
        var signature = key.SignData(System.Text.Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }
}
