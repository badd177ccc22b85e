using System.Net;
using System.Text;
using System.Text.Json;
using Operational.TestSupport;

namespace Operational.ApiTests;

/// <summary>
/// The acknowledge link an alert's message carries, taken from what a webhook receiver got, on a
/// fake clock: it stops the reminders of its own alert only, and is refused when altered, used for
/// another alert, or expired.
/// </summary>
public sealed class AcknowledgeLinkApiTests() : FakeClockHostTests(
    new DateTimeOffset(2027, 1, 4, 9, 0, 0, TimeSpan.Zero),
    new Dictionary<string, string> { ["Notifications:PublicUrl"] = "https://ops.example.com" })
{
    [Fact]
    public async Task The_signed_link_from_a_webhook_acknowledges_its_alert_and_stops_the_reminders()
    {
        await using var receiver = await RecordingReceiver.StartAsync();
        var channel = await WebhookAsync(receiver);
        var acknowledged = await CreateAsync("/v1/rules", $$"""
            {"name":"backups","kind":"heartbeat","match":{"name":{"equals":"backup"} },"heartbeat":{"periodSeconds":60,"graceSeconds":0},
             "repeatIntervalSeconds":300,"channels":["{{channel}}"]}
            """);
        var ignored = await CreateAsync("/v1/rules", $$"""
            {"name":"imports","kind":"heartbeat","match":{"name":{"equals":"import"} },"heartbeat":{"periodSeconds":60,"graceSeconds":0},
             "repeatIntervalSeconds":300,"channels":["{{channel}}"]}
            """);

        Time.Advance(TimeSpan.FromSeconds(61));
        await RunScheduledChecksAsync(acknowledged, ignored);
        var backupLink = await LinkAsync(receiver, "backups", "alert.triggered");
        var importLink = await LinkAsync(receiver, "imports", "alert.triggered");
        Assert.StartsWith("https://ops.example.com/ack/", backupLink, StringComparison.Ordinal);
        using var http = Factory.CreateClient();
        var backupPath = new Uri(backupLink).AbsolutePath;
        var importPath = new Uri(importLink).AbsolutePath;

        // A click (GET, also what link previews send) only shows the button.
        using (var page = await http.GetAsync(backupPath))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("<form method=\"post\">", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.DoesNotContain((await Client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/alerts?status=open")).GetProperty("alerts").EnumerateArray(),
            a => a.TryGetProperty("acknowledgedBy", out var by) && by.ValueKind == JsonValueKind.String);

        // Another alert's id under this signature, and an altered signature: refused.
        var segments = backupPath.Split('/');
        var otherAlert = importPath.Split('/')[2];
        await AssertRefusedAsync(http, $"/ack/{otherAlert}/{segments[3]}/{segments[4]}", HttpStatusCode.Forbidden);
        await AssertRefusedAsync(http, $"/ack/{segments[2]}/{segments[3]}/{segments[4][..^2]}AA", HttpStatusCode.Forbidden);
        await AssertRefusedAsync(http, $"/ack/{segments[2]}/{long.Parse(segments[3], System.Globalization.CultureInfo.InvariantCulture) + 3600}/{segments[4]}", HttpStatusCode.Forbidden);

        using (var ack = await http.PostAsync(backupPath, null))
        {
            Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
            var alert = JsonDocument.Parse(await ack.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("link", alert.GetProperty("acknowledgedBy").GetString());
        }

        // Past the repeat interval: the ignored alert is told again, the acknowledged one is not.
        var before = receiver.Requests.Count;
        Time.Advance(TimeSpan.FromMinutes(6));
        await RunScheduledChecksAsync(acknowledged, ignored);
        await LinkAsync(receiver, "imports", "alert.repeated");
        await Task.Delay(500);
        Assert.DoesNotContain(receiver.Requests.Skip(before), r => Body(r).Contains("\"type\":\"alert.repeated\"", StringComparison.Ordinal)
            && Body(r).Contains("\"ruleName\":\"backups\"", StringComparison.Ordinal));
        // The webhook heard who took it, once.
        Assert.Single(receiver.Requests, r => Body(r).Contains("\"type\":\"alert.acknowledged\"", StringComparison.Ordinal));

        // The first link of the ignored alert, a day later: expired.
        Time.Advance(TimeSpan.FromHours(24));
        await AssertRefusedAsync(http, importPath, HttpStatusCode.Gone);
    }

    private static async Task<string> LinkAsync(RecordingReceiver receiver, string ruleName, string type)
    {
        var hook = await receiver.WaitForAsync(r => Body(r).Contains($"\"type\":\"{type}\"", StringComparison.Ordinal)
            && Body(r).Contains($"\"ruleName\":\"{ruleName}\"", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        return JsonDocument.Parse(hook.Body).RootElement.GetProperty("data").GetProperty("acknowledgeUrl").GetString()!;
    }

    private static string Body(RecordedRequest request) => Encoding.UTF8.GetString(request.Body);

    private static async Task AssertRefusedAsync(HttpClient http, string path, HttpStatusCode status)
    {
        using var response = await http.PostAsync(path, null);
        await ProblemAssert.IsProblemAsync(response, status);
    }
}
