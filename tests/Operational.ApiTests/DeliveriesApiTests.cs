using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Operational.Notifications.Push;
using Operational.TestSupport;

namespace Operational.ApiTests;

/// <summary>
/// Alerts delivered to channels whose endpoints are a local stub: one that answers, one that
/// answers 500, one that hangs. Short delays and timeouts so the retries play out in seconds.
/// </summary>
public sealed class DeliveriesApiTests : IAsyncLifetime
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private RecordingReceiver _stub = null!;
    private StandaloneFactory _factory = null!;
    private OperationalClient _client = null!;
    private string _stubUrl = "";

    public async ValueTask InitializeAsync()
    {
        _stub = await RecordingReceiver.StartAsync(async (request, aborted) =>
        {
            if (request.Path.StartsWith("/fail", StringComparison.Ordinal))
            {
                return StatusCodes.Status500InternalServerError;
            }

            if (request.Path.StartsWith("/push/gone", StringComparison.Ordinal))
            {
                return StatusCodes.Status410Gone;
            }

            if (request.Path.StartsWith("/hang", StringComparison.Ordinal))
            {
                await Task.Delay(TimeSpan.FromSeconds(30), aborted).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            return StatusCodes.Status200OK;
        });
        _stubUrl = _stub.Address.ToString().TrimEnd('/');

        _factory = new StandaloneFactory
        {
            Settings = new Dictionary<string, string>
            {
                ["Notifications:Outbound:AllowedHosts:0"] = "127.0.0.1",
                ["Notifications:Delivery:MaxAttempts"] = "3",
                ["Notifications:Delivery:BaseDelay"] = "00:00:00.2",
                ["Notifications:Delivery:MaxDelay"] = "00:00:00.5",
                ["Notifications:Delivery:AttemptTimeout"] = "00:00:01",
                ["Notifications:Delivery:PollInterval"] = "00:00:00.1",
                ["Notifications:TelegramApi"] = _stubUrl + "/telegram",
            },
        };
        _client = _factory.CreateOperationalClient();
    }

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _stub.DisposeAsync();
    }

    [Fact]
    public async Task Failing_and_hanging_channels_are_retried_and_fail_while_the_others_deliver_on_time()
    {
        var ok = await ChannelAsync($$"""{"name":"ok","kind":"webhook","webhook":{"url":"{{_stubUrl}}/ok","secret":"{{Secret}}"} }""");
        var broken = await ChannelAsync($$"""{"name":"broken","kind":"webhook","webhook":{"url":"{{_stubUrl}}/fail"} }""");
        var hanging = await ChannelAsync($$"""{"name":"hanging","kind":"webhook","webhook":{"url":"{{_stubUrl}}/hang"} }""");
        var phones = await ChannelAsync($$"""{"name":"phones","kind":"ntfy","ntfy":{"serverUrl":"{{_stubUrl}}/ntfy","topic":"ops"} }""");
        using var rule = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/rules",
            $$"""{"name":"payments failing","kind":"match","match":{"name":{"equals":"payment failed"} },"channels":["{{hanging}}","{{broken}}","{{ok}}","{{phones}}"]}""");
        Assert.Equal(HttpStatusCode.Created, rule.StatusCode);

        var sent = DateTimeOffset.UtcNow;
        await _client.IngestAsync(StandaloneFactory.IngestKey, """{"name":"payment failed","level":"error"}""");

        var delivered = await ReceivedAsync("/ok", TimeSpan.FromSeconds(10));
        Assert.True(delivered.At - sent < TimeSpan.FromSeconds(2), $"the healthy channel waited {delivered.At - sent}");
        Assert.True(StandardWebhooks.Verify(Secret, delivered.Headers, delivered.Body, DateTimeOffset.UtcNow));
        using (var payload = JsonDocument.Parse(delivered.Body))
        {
            Assert.Equal("alert.triggered", payload.RootElement.GetProperty("type").GetString());
            Assert.Equal("payments failing", payload.RootElement.GetProperty("data").GetProperty("ruleName").GetString());
        }

        var ntfy = await ReceivedAsync("/ntfy", TimeSpan.FromSeconds(10));
        using (var published = JsonDocument.Parse(ntfy.Body))
        {
            Assert.Equal(("ops", "payments failing", 4), (published.RootElement.GetProperty("topic").GetString(),
                published.RootElement.GetProperty("title").GetString(), published.RootElement.GetProperty("priority").GetInt32())); // a match rule alerts at warning
        }

        var failed = await WaitForDeliveriesAsync("failed", 2, TimeSpan.FromSeconds(20));
        Assert.Equal([broken, hanging], failed.Select(d => d.GetProperty("channelId").GetString()).Order());
        Assert.All(failed, d => Assert.Equal(3, d.GetProperty("attempts").GetInt32()));
        Assert.Contains(failed, d => d.TryGetProperty("lastStatusCode", out var code) && code.GetInt32() == 500);
        Assert.Contains(failed, d => d.GetProperty("lastError").GetString()!.Contains("No answer within", StringComparison.Ordinal));
        Assert.Equal(3, _stub.Requests.Count(r => r.Path == "/fail"));
        Assert.Single(_stub.Requests, r => r.Path == "/ok"); // delivered once, never retried
        // Retries carry the same webhook-id, so the receiver can tell them apart from new messages.
        Assert.Single(_stub.Requests.Where(r => r.Path == "/fail").Select(r => r.Headers["webhook-id"]).Distinct());
    }

    [Fact]
    public async Task A_channel_moved_to_another_server_without_its_secret_takes_no_secret_there()
    {
        var phones = await ChannelAsync($$"""{"name":"phones","kind":"ntfy","ntfy":{"serverUrl":"{{_stubUrl}}/ntfy-a","topic":"ops","token":"tk_kept_secret"} }""");
        using var sameServer = await _client.PutAsync(StandaloneFactory.AdminKey, $"/v1/channels/{phones}",
            $$"""{"name":"phones (renamed)","kind":"ntfy","ntfy":{"serverUrl":"{{_stubUrl}}/ntfy-a","topic":"ops"} }""");
        Assert.Contains("ntfy.token", await sameServer.Content.ReadAsStringAsync(), StringComparison.Ordinal); // still set: same server

        using var moved = await _client.PutAsync(StandaloneFactory.AdminKey, $"/v1/channels/{phones}",
            $$"""{"name":"phones","kind":"ntfy","ntfy":{"serverUrl":"{{_stubUrl}}/ntfy-elsewhere","topic":"ops"} }""");
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.DoesNotContain("ntfy.token", await moved.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var test = await _client.PostAsync(StandaloneFactory.AdminKey, $"/v1/channels/{phones}/test", "");
        Assert.Equal(HttpStatusCode.Accepted, test.StatusCode);

        var received = await ReceivedAsync("/ntfy-elsewhere", TimeSpan.FromSeconds(10));
        Assert.False(received.Headers.ContainsKey("Authorization"), "the old server's token was sent to the new one");
        Assert.DoesNotContain(_stub.Requests, r => r.Headers.Values.Any(v => v.Contains("tk_kept_secret", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Send_test_delivers_a_test_message_to_the_channel()
    {
        var ok = await ChannelAsync($$"""{"name":"ok","kind":"webhook","webhook":{"url":"{{_stubUrl}}/test-target","secret":"{{Secret}}"} }""");

        using var test = await _client.PostAsync(StandaloneFactory.AdminKey, $"/v1/channels/{ok}/test", "");
        Assert.Equal(HttpStatusCode.Accepted, test.StatusCode);

        var received = await ReceivedAsync("/test-target", TimeSpan.FromSeconds(10));
        using var payload = JsonDocument.Parse(received.Body);
        Assert.Equal("channel.test", payload.RootElement.GetProperty("type").GetString());
        var succeeded = await WaitForDeliveriesAsync("succeeded", 1, TimeSpan.FromSeconds(10));
        Assert.Equal(ok, succeeded[0].GetProperty("channelId").GetString());
    }

    /// <summary>
    /// The local push-service stub receives each device's notification and decrypts it with that
    /// device's private key, as the browser would; a subscription the push service says is gone
    /// (410) is removed.
    /// </summary>
    [Fact]
    public async Task Notifying_event_reaches_every_subscribed_device_encrypted_for_it()
    {
        var devices = new Dictionary<string, (ECDiffieHellman Key, byte[] Auth)>();
        foreach (var name in new[] { "phone", "laptop", "gone" })
        {
            var key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
            var auth = RandomNumberGenerator.GetBytes(16);
            devices[name] = (key, auth);
            using var subscribed = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/push/subscriptions", JsonSerializer.Serialize(new
            {
                endpoint = $"{_stubUrl}/push/{name}",
                keys = new { p256dh = Base64Url.EncodeToString(WebPushEncryption.PublicKey(key)), auth = Base64Url.EncodeToString(auth) },
            }));
            Assert.Equal(HttpStatusCode.Created, subscribed.StatusCode);
        }

        await _client.IngestAsync(StandaloneFactory.IngestKey, """{"name":"quiet test","notify":true,"test":true}""");
        var id = await _client.IngestAsync(StandaloneFactory.IngestKey, """{"name":"user signed up","avatar":"🎉","content":"plan: pro","notify":true}""");

        var vapidKey = (await _client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/push/vapid-public-key")).GetProperty("publicKey").GetString();
        foreach (var name in new[] { "phone", "laptop" })
        {
            var push = await ReceivedAsync($"/push/{name}", TimeSpan.FromSeconds(10));
            Assert.Equal("aes128gcm", push.Headers["content-encoding"]);
            Assert.Matches($"^vapid t=[\\w-]+\\.[\\w-]+\\.[\\w-]+, k={vapidKey}$", push.Headers["authorization"]);
            var (key, auth) = devices[name];
            var plaintext = BrowserPush.Decrypt(push.Body, key.ExportParameters(true).D!, WebPushEncryption.PublicKey(key), auth);
            using var shown = JsonDocument.Parse(plaintext);
            Assert.Equal("🎉 user signed up", shown.RootElement.GetProperty("title").GetString());
            Assert.Equal("plan: pro", shown.RootElement.GetProperty("body").GetString());
            Assert.Equal($"/events/{id}", shown.RootElement.GetProperty("url").GetString());
        }

        var failed = await WaitForDeliveriesAsync("failed", 1, TimeSpan.FromSeconds(10));
        Assert.Contains("gone", failed[0].GetProperty("lastError").GetString(), StringComparison.Ordinal);
        var left = await _client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/push/subscriptions");
        Assert.Equal(2, left.GetProperty("subscriptions").GetArrayLength());
        Assert.Single(_stub.Requests, r => r.Path == "/push/phone"); // the test event notified nobody

        // The project opts in to test notifications.
        using (var invalid = await _client.PutAsync(StandaloneFactory.AdminKey, "/v1/notification-settings", "{}"))
        {
            await ProblemAssert.NamesFieldAsync(invalid, "notifyTestEvents");
        }

        using (var optIn = await _client.PutAsync(StandaloneFactory.AdminKey, "/v1/notification-settings", """{"notifyTestEvents":true}"""))
        {
            Assert.Equal(HttpStatusCode.OK, optIn.StatusCode);
        }

        await _client.IngestAsync(StandaloneFactory.IngestKey, """{"name":"loud test","notify":true,"test":true}""");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_stub.Requests.Count(r => r.Path == "/push/phone") < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(25);
        }

        Assert.Equal(2, _stub.Requests.Count(r => r.Path == "/push/phone"));
        foreach (var (key, _) in devices.Values)
        {
            key.Dispose();
        }
    }

    [Fact]
    public async Task Channel_receiving_events_and_contexts_gets_notifying_events_and_failed_contexts()
    {
        await ChannelAsync($$"""{"name":"feed","kind":"webhook","receive":["events","contexts"],"webhook":{"url":"{{_stubUrl}}/routed","secret":"{{Secret}}"} }""");
        await ChannelAsync($$"""{"name":"quiet","kind":"webhook","webhook":{"url":"{{_stubUrl}}/not-routed"} }""");

        await _client.IngestAsync(StandaloneFactory.IngestKey, """{"name":"deploy finished","avatar":"🚀","notify":true}""");
        await _client.IngestAsync(StandaloneFactory.IngestKey, """{"name":"import started","contextId":"import-7","contextStart":true}""");
        await _client.IngestAsync(StandaloneFactory.IngestKey, """{"name":"import crashed","level":"error","contextId":"import-7"}""");

        var deadline = DateTime.UtcNow.AddSeconds(15);
        List<string?> types;
        do
        {
            types = _stub.Requests.Where(r => r.Path == "/routed").Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("type").GetString()).ToList();
            await Task.Delay(50);
        }
        while (types.Count < 2 && DateTime.UtcNow < deadline);

        Assert.Equal(["context.failed", "event"], types.Order());
        Assert.DoesNotContain(_stub.Requests, r => r.Path == "/not-routed");
    }

    [Fact]
    public async Task Email_channel_sends_over_smtp_and_a_refused_recipient_fails_at_once()
    {
        await using var smtp = new SmtpStub();
        var mail = await ChannelAsync($$"""{"name":"ops mail","kind":"email","email":{"host":"127.0.0.1","port":{{smtp.Port}},"security":"none","from":"operational@example.com","to":["ops@example.com"]} }""");
        var refused = await ChannelAsync($$"""{"name":"bad mail","kind":"email","email":{"host":"127.0.0.1","port":{{smtp.Port}},"security":"none","from":"operational@example.com","to":["nobody@example.com"]} }""");

        using (var test = await _client.PostAsync(StandaloneFactory.AdminKey, $"/v1/channels/{mail}/test", ""))
        {
            Assert.Equal(HttpStatusCode.Accepted, test.StatusCode);
        }

        using (var test = await _client.PostAsync(StandaloneFactory.AdminKey, $"/v1/channels/{refused}/test", ""))
        {
            Assert.Equal(HttpStatusCode.Accepted, test.StatusCode);
        }

        var failed = await WaitForDeliveriesAsync("failed", 1, TimeSpan.FromSeconds(10));
        Assert.Equal((refused, 1), (failed[0].GetProperty("channelId").GetString(), failed[0].GetProperty("attempts").GetInt32()));
        Assert.Contains("No such mailbox", failed[0].GetProperty("lastError").GetString(), StringComparison.Ordinal);
        await WaitForDeliveriesAsync("succeeded", 1, TimeSpan.FromSeconds(10));
        var (recipients, data) = Assert.Single(smtp.Messages);
        Assert.Equal(["ops@example.com"], recipients);
        Assert.Contains("Subject: Test from Operational", data, StringComparison.Ordinal);
        Assert.Contains("channel 'ops mail' works", data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Event_actions_call_their_url_signed_and_the_server_enforces_repeat_and_expiry()
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(-2).ToString("O");
        var id = await _client.IngestAsync(StandaloneFactory.IngestKey, $$"""
            {"name":"order paid","timestamp":"{{at}}","actions":[
              {"key":"refund","buttonText":"Refund","url":"{{_stubUrl}}/actions/refund","meta":{"order":42} },
              {"key":"resend","buttonText":"Resend receipt","url":"{{_stubUrl}}/actions/resend","repeat":true},
              {"key":"broken","buttonText":"Broken","url":"{{_stubUrl}}/fail/action"},
              {"key":"late","buttonText":"Late","url":"{{_stubUrl}}/actions/late","expireIn":1}
            ]}
            """);
        await _client.WaitForEventAsync(StandaloneFactory.AdminKey, id, TimeSpan.FromSeconds(10));

        var done = await PressAsync(id, "refund", HttpStatusCode.OK);
        Assert.Equal("done", done.GetProperty("status").GetString());
        var call = await ReceivedAsync("/actions/refund", TimeSpan.FromSeconds(5));
        var secret = (await _client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/action-secret")).GetProperty("secret").GetString()!;
        Assert.True(StandardWebhooks.Verify(secret, call.Headers, call.Body, DateTimeOffset.UtcNow));
        using (var payload = JsonDocument.Parse(call.Body))
        {
            Assert.Equal((id, "refund", 42), (payload.RootElement.GetProperty("eventId").GetString(), payload.RootElement.GetProperty("actionKey").GetString(),
                payload.RootElement.GetProperty("meta").GetProperty("order").GetInt32()));
        }

        await PressAsync(id, "refund", HttpStatusCode.Conflict); // once only
        await PressAsync(id, "resend", HttpStatusCode.OK);
        await PressAsync(id, "resend", HttpStatusCode.OK); // may repeat
        var failed = await PressAsync(id, "broken", HttpStatusCode.OK);
        Assert.Equal(("failed", 500), (failed.GetProperty("status").GetString(), failed.GetProperty("statusCode").GetInt32()));
        await PressAsync(id, "broken", HttpStatusCode.OK); // a failed run does not use up the press
        await PressAsync(id, "late", HttpStatusCode.Conflict); // expired a minute after the event
        await PressAsync(id, "nope", HttpStatusCode.NotFound);
        await PressAsync("no-such-event", "refund", HttpStatusCode.NotFound);

        var runs = await _client.GetJsonAsync(StandaloneFactory.AdminKey, $"/v1/events/{id}/actions");
        Assert.Equal(5, runs.GetProperty("runs").GetArrayLength());
        Assert.Single(_stub.Requests, r => r.Path == "/actions/refund");
        Assert.DoesNotContain(_stub.Requests, r => r.Path == "/actions/late");
        using var byIngestKey = await _client.PostAsync(StandaloneFactory.IngestKey, $"/v1/events/{id}/actions/resend", "");
        await ProblemAssert.IsProblemAsync(byIngestKey, HttpStatusCode.Forbidden);
    }

    private async Task<JsonElement> PressAsync(string eventId, string key, HttpStatusCode expected)
    {
        using var response = await _client.PostAsync(StandaloneFactory.AdminKey, $"/v1/events/{eventId}/actions/{key}", "");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{key}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [Fact]
    public async Task Slack_discord_and_telegram_get_their_own_layouts()
    {
        var slack = await ChannelAsync($$"""{"name":"slack","kind":"slack","slack":{"webhookUrl":"{{_stubUrl}}/slack/T000/B000/XXXX"} }""");
        var discord = await ChannelAsync($$"""{"name":"discord","kind":"discord","discord":{"webhookUrl":"{{_stubUrl}}/discord/123/abc"} }""");
        var telegram = await ChannelAsync("""{"name":"telegram","kind":"telegram","telegram":{"botToken":"123456:ABC-DEF_ghi","chatId":"-1001234"} }""");
        foreach (var channel in new[] { slack, discord, telegram })
        {
            using var test = await _client.PostAsync(StandaloneFactory.AdminKey, $"/v1/channels/{channel}/test", "");
            Assert.Equal(HttpStatusCode.Accepted, test.StatusCode);
        }

        using (var slackBody = JsonDocument.Parse((await ReceivedAsync("/slack/", TimeSpan.FromSeconds(10))).Body))
        {
            Assert.Equal("ℹ️ *Test from Operational*\nIf you read this, channel 'slack' works.", slackBody.RootElement.GetProperty("text").GetString());
        }

        using (var discordBody = JsonDocument.Parse((await ReceivedAsync("/discord/", TimeSpan.FromSeconds(10))).Body))
        {
            var embed = discordBody.RootElement.GetProperty("embeds")[0];
            Assert.Equal("ℹ️ Test from Operational", embed.GetProperty("title").GetString());
            Assert.Equal(0x3B82F6, embed.GetProperty("color").GetInt32());
            Assert.Equal(0, discordBody.RootElement.GetProperty("allowed_mentions").GetProperty("parse").GetArrayLength());
        }

        var telegramCall = await ReceivedAsync("/telegram/bot123456:ABC-DEF_ghi/sendMessage", TimeSpan.FromSeconds(10));
        using var telegramBody = JsonDocument.Parse(telegramCall.Body);
        Assert.Equal("-1001234", telegramBody.RootElement.GetProperty("chat_id").GetString());
        Assert.StartsWith("ℹ️ Test from Operational", telegramBody.RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);

        // The URLs are the secrets (bot token, webhook paths): the log names destinations only.
        Assert.DoesNotContain(_factory.Logs.Lines, l => l.Contains("ABC-DEF_ghi", StringComparison.Ordinal) || l.Contains("T000/B000/XXXX", StringComparison.Ordinal)
            || l.Contains("discord/123/abc", StringComparison.Ordinal));
        Assert.Contains(_factory.Logs.Lines, l => l.Contains("Outbound POST " + _stubUrl + "/…", StringComparison.Ordinal));
    }

    private async Task<string> ChannelAsync(string body)
    {
        using var response = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/channels", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
    }

    private Task<RecordedRequest> ReceivedAsync(string path, TimeSpan timeout) =>
        _stub.WaitForAsync(r => r.Path.StartsWith(path, StringComparison.Ordinal), timeout);

    private async Task<List<JsonElement>> WaitForDeliveriesAsync(string status, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var page = await _client.GetJsonAsync(StandaloneFactory.AdminKey, $"/v1/deliveries?status={status}");
            var deliveries = page.GetProperty("deliveries").EnumerateArray().ToList();
            if (deliveries.Count >= count)
            {
                return deliveries;
            }

            Assert.True(DateTime.UtcNow < deadline, $"fewer than {count} {status} deliveries within {timeout}: {page}");
            await Task.Delay(100);
        }
    }
}
