using System.Security.Cryptography;
using System.Text;
using Operational.Notifications.Channels;
using Operational.Notifications.Webhooks;
using Operational.TestSupport;

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
