using System.Text;
using System.Text.Json;
using Operational.TestSupport;

namespace Operational.ApiTests;

/// <summary>Ten campaign groups going silent at one check reach a webhook as one message (the rule's groupWaitSeconds), on a fake clock.</summary>
public sealed class AlertGroupingApiTests() : FakeClockHostTests(new DateTimeOffset(2027, 1, 4, 9, 0, 0, TimeSpan.Zero))
{
    [Fact]
    public async Task Ten_groups_going_silent_at_one_check_reach_the_webhook_as_one_message()
    {
        await using var receiver = await RecordingReceiver.StartAsync();
        var channelId = await WebhookAsync(receiver);
        var ruleId = await CreateAsync("/v1/rules", $$"""
            {"name":"no leads","kind":"volume","match":{"name":{"equals":"lead created"} },
             "volume":{"min":1,"windowSeconds":60,"groupBy":"campaignGroup"},"groupWaitSeconds":30,"channels":["{{channelId}}"]}
            """);
        var groups = Enumerable.Range(0, 10).Select(i => $"campaign-{(char)('A' + i)}").ToList();
        foreach (var group in groups)
        {
            await Client.IngestAsync(StandaloneFactory.IngestKey, $$"""{"name":"lead created","tags":{"campaignGroup":"{{group}}"} }""");
        }

        await Client.WaitForJsonAsync(StandaloneFactory.AdminKey, "/v1/events?name=lead%20created", e => e.GetProperty("events").GetArrayLength() == 10, TimeSpan.FromSeconds(10));
        Time.Advance(TimeSpan.FromSeconds(61));
        await RunScheduledChecksAsync(ruleId);

        await Client.WaitForJsonAsync(StandaloneFactory.AdminKey, "/v1/alerts?status=open", a => a.GetProperty("alerts").GetArrayLength() == 10, TimeSpan.FromSeconds(10));
        // The alerts' messages reach the notifications module while the group waits.
        await Task.Delay(1000);
        Assert.DoesNotContain(receiver.Requests, r => r.Path == "/hook");

        Time.Advance(TimeSpan.FromSeconds(31));
        var hook = await receiver.WaitForAsync(r => r.Path == "/hook", TimeSpan.FromSeconds(15));
        await Task.Delay(1000);
        Assert.Single(receiver.Requests, r => r.Path == "/hook");
        var data = JsonDocument.Parse(hook.Body).RootElement.GetProperty("data");
        Assert.True(data.GetProperty("grouped").GetBoolean());
        Assert.Equal(10, data.GetProperty("count").GetInt32());
        Assert.Equal(groups, data.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("group").GetString()).Order());
        Assert.All(data.GetProperty("alerts").EnumerateArray(), a => Assert.StartsWith("/ack/", a.GetProperty("acknowledgeUrl").GetString(), StringComparison.Ordinal));
        Assert.Contains("\"alert.triggered\"", Encoding.UTF8.GetString(hook.Body), StringComparison.Ordinal);
    }
}
