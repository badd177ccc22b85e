using System.Net;
using System.Text;
using System.Text.Json;
using Operational.TestSupport;

namespace Operational.ApiTests;

/// <summary>
/// A cron check on a fake clock in the whole standalone host: late across Europe/Berlin's March
/// change, its alert reaches a webhook channel with the last run's output.
/// </summary>
public sealed class CheckAlertApiTests() : FakeClockHostTests(new DateTimeOffset(2027, 3, 26, 12, 0, 0, TimeSpan.Zero))
{
    [Fact]
    public async Task A_0300_Berlin_check_goes_down_at_0310_local_after_the_March_change_and_the_webhook_gets_the_last_output()
    {
        await using var receiver = await RecordingReceiver.StartAsync();
        var channelId = await WebhookAsync(receiver);
        using var created = await Client.PostAsync(StandaloneFactory.AdminKey, "/v1/checks",
            $$"""{"name":"Backup","cron":"0 3 * * *","timeZone":"Europe/Berlin","graceSeconds":600,"channels":["{{channelId}}"]}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var check = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        var id = check.GetProperty("id").GetString()!;
        using var http = Factory.CreateClient();

        Time.SetUtcNow(new DateTimeOffset(2027, 3, 27, 2, 0, 5, TimeSpan.Zero)); // 03:00:05 CET
        using (var ping = await http.PostAsync(check.GetProperty("pingUrl").GetString(), new StringContent("backup ok: 3.2 GB in 4 min")))
        {
            Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        }

        var up = await Client.WaitForJsonAsync(StandaloneFactory.AdminKey, $"/v1/checks/{id}", c => c.GetProperty("status").GetString() == "up", TimeSpan.FromSeconds(10));
        // The next run is at 03:00 CEST, 01:00 UTC: an hour earlier in UTC than the day before.
        Assert.Equal(new DateTimeOffset(2027, 3, 28, 1, 0, 0, TimeSpan.Zero), up.GetProperty("nextPingDueAt").GetDateTimeOffset());

        Time.SetUtcNow(new DateTimeOffset(2027, 3, 28, 1, 9, 59, TimeSpan.Zero)); // 03:09:59 CEST
        await RunScheduledChecksAsync(id);
        Assert.Equal("grace", (await Client.GetJsonAsync(StandaloneFactory.AdminKey, $"/v1/checks/{id}")).GetProperty("status").GetString());

        Time.SetUtcNow(new DateTimeOffset(2027, 3, 28, 1, 10, 1, TimeSpan.Zero)); // 03:10:01 CEST
        await RunScheduledChecksAsync(id);
        Assert.Equal("down", (await Client.GetJsonAsync(StandaloneFactory.AdminKey, $"/v1/checks/{id}")).GetProperty("status").GetString());

        var hook = await receiver.WaitForAsync(r => r.Path == "/hook" && Encoding.UTF8.GetString(r.Body).Contains("alert.triggered", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        // A webhook gets the alert whole: its evidence carries the last run's output and the run (context) to link to.
        var evidence = JsonDocument.Parse(hook.Body).RootElement.GetProperty("data").GetProperty("evidence");
        Assert.Equal("backup ok: 3.2 GB in 4 min", evidence.GetProperty("output").GetString());
        var lastRun = (await Client.GetJsonAsync(StandaloneFactory.AdminKey, $"/v1/checks/{id}/runs")).GetProperty("runs")[0];
        Assert.Equal(lastRun.GetProperty("runId").GetString(), evidence.GetProperty("contextId").GetString());
    }
}
