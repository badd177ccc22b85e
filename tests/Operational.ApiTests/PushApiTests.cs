using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Operational.Notifications.Push;
using Operational.TestSupport;

namespace Operational.ApiTests;

public sealed class PushApiTests(StandaloneFactory factory) : IClassFixture<StandaloneFactory>
{
    private readonly OperationalClient _client = factory.CreateOperationalClient();

    [Fact]
    public async Task Vapid_public_key_is_a_p256_point_that_stays_the_same()
    {
        var first = await _client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/push/vapid-public-key");
        var second = await _client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/push/vapid-public-key");

        var key = Base64Url.DecodeFromChars(first.GetProperty("publicKey").GetString());
        Assert.Equal(65, key.Length);
        using var point = WebPushEncryption.ImportPublicKey(key);
        Assert.Equal(first.GetProperty("publicKey").GetString(), second.GetProperty("publicKey").GetString());
    }

    [Fact]
    public async Task Device_subscribes_once_per_endpoint_and_unsubscribes()
    {
        var body = Subscription("https://fcm.googleapis.com/fcm/send/" + Guid.NewGuid().ToString("N"));

        using var created = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/push/subscriptions", body);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;

        using var again = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/push/subscriptions", body);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(id, JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString());
        var listed = await _client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/push/subscriptions");
        Assert.Contains(listed.GetProperty("subscriptions").EnumerateArray(), s => s.GetProperty("id").GetString() == id);
        Assert.DoesNotContain("p256dh", listed.GetRawText(), StringComparison.Ordinal);

        using var deleted = await Delete($"/v1/push/subscriptions/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await Delete($"/v1/push/subscriptions/{id}");
        await ProblemAssert.IsProblemAsync(gone, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Device_unsubscribes_by_its_endpoint()
    {
        var endpoint = "https://updates.push.services.mozilla.com/wpush/v2/" + Guid.NewGuid().ToString("N");
        using (var created = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/push/subscriptions", Subscription(endpoint)))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using var deleted = await Delete($"/v1/push/subscriptions?endpoint={Uri.EscapeDataString(endpoint)}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var again = await Delete($"/v1/push/subscriptions?endpoint={Uri.EscapeDataString(endpoint)}");
        await ProblemAssert.IsProblemAsync(again, HttpStatusCode.NotFound);
        using var missing = await Delete("/v1/push/subscriptions");
        await ProblemAssert.NamesFieldAsync(missing, "endpoint");
    }

    [Theory]
    [InlineData("http://push.example.com/x", null, null, "endpoint")]
    [InlineData("https://10.0.0.5/push", null, null, "endpoint")]
    [InlineData(null, "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw5", null, "keys.p256dh")] // not on the curve
    [InlineData(null, "AAAA", null, "keys.p256dh")]
    [InlineData(null, null, "c2hvcnQ", "keys.auth")]
    public async Task Invalid_subscription_is_a_400_naming_the_field(string? endpoint, string? p256dh, string? auth, string field)
    {
        using var browser = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var body = JsonSerializer.Serialize(new
        {
            endpoint = endpoint ?? "https://push.example.com/" + Guid.NewGuid().ToString("N"),
            keys = new
            {
                p256dh = p256dh ?? Base64Url.EncodeToString(WebPushEncryption.PublicKey(browser)),
                auth = auth ?? Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)),
            },
        });

        using var response = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/push/subscriptions", body);

        await ProblemAssert.NamesFieldAsync(response, field);
    }

    [Fact]
    public async Task Ingest_key_cannot_subscribe()
    {
        using var response = await _client.PostAsync(StandaloneFactory.IngestKey, "/v1/push/subscriptions", Subscription("https://push.example.com/x"));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden);
    }

    /// <summary>Exactly what a browser's <c>PushSubscription.toJSON()</c> gives, <c>expirationTime</c> included.</summary>
    private static string Subscription(string endpoint)
    {
        using var browser = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        return JsonSerializer.Serialize(new
        {
            endpoint,
            expirationTime = (double?)null,
            keys = new { p256dh = Base64Url.EncodeToString(WebPushEncryption.PublicKey(browser)), auth = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)) },
        });
    }

    private Task<HttpResponseMessage> Delete(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Delete, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", StandaloneFactory.AdminKey);
        return _client.Http.SendAsync(request);
    }
}
