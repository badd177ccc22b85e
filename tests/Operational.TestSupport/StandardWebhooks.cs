using System.Security.Cryptography;
using System.Text;

namespace Operational.TestSupport;

/// <summary>
/// A receiver, written from the Standard Webhooks specification (not from our signer): the
/// timestamp within five minutes, then any of the space-separated <c>v1,</c> signatures equal,
/// in constant time, to HMAC-SHA256(base64-decoded secret, id.timestamp.body).
/// </summary>
public static class StandardWebhooks
{
    public static bool Verify(string secret, IReadOnlyDictionary<string, string> headers, byte[] body, DateTimeOffset now)
    {
        var timestamp = long.Parse(headers["webhook-timestamp"], System.Globalization.CultureInfo.InvariantCulture);
        if (Math.Abs(now.ToUnixTimeSeconds() - timestamp) > 300)
        {
            return false;
        }

        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        byte[] signed = [.. Encoding.UTF8.GetBytes($"{headers["webhook-id"]}.{headers["webhook-timestamp"]}."), .. body];
        var expected = HMACSHA256.HashData(key, signed);
        foreach (var candidate in headers["webhook-signature"].Split(' '))
        {
            var parts = candidate.Split(',', 2);
            if (parts is ["v1", var value] && CryptographicOperations.FixedTimeEquals(Convert.FromBase64String(value), expected))
            {
                return true;
            }
        }

        return false;
    }
}
