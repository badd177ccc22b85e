using System.Security.Cryptography;
using System.Text;
using Operational.Notifications.Channels;
using Operational.Notifications.Webhooks;

namespace Operational.UnitTests.Notifications;

public sealed class WebhookSignatureTests
{
    [Fact]
    public void Standard_webhooks_published_vector_is_reproduced()
    {
        var signature = WebhookSignature.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, """{"test": 2432232314}"""u8);

        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    [Fact]
    public void Signed_headers_verify_with_the_published_algorithm_and_fail_when_anything_changes()
    {
        var secret = ChannelValidator.WebhookSecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var body = Encoding.UTF8.GetBytes("""{"type":"alert.triggered","data":{"rule":"leads"}}""");
        var now = DateTimeOffset.UtcNow;

        var headers = WebhookSignature.Headers(secret, "msg_01", now, body).ToDictionary(h => h.Name, h => h.Value);

        Assert.True(StandardWebhooks.Verify(secret, headers, body, now));
        Assert.False(StandardWebhooks.Verify(secret, headers, [.. body, (byte)' '], now));
        Assert.False(StandardWebhooks.Verify(secret, new Dictionary<string, string>(headers) { ["webhook-id"] = "msg_02" }, body, now));
        Assert.False(StandardWebhooks.Verify(secret, headers, body, now.AddMinutes(10))); // replayed too late
        Assert.False(StandardWebhooks.Verify(ChannelValidator.WebhookSecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), headers, body, now));
    }
}

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
