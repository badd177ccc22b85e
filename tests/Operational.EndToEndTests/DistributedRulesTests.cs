using System.Net;
using System.Text.Json;
using Operational.TestSupport;

namespace Operational.EndToEndTests;

/// <summary>Rules and alerts with the rules service as its own process, fed over RabbitMQ, checked by Hangfire.</summary>
public sealed class DistributedRulesTests(DistributedDeployment deployment) : IClassFixture<DistributedDeployment>
{
    private OperationalClient Client => deployment.Client;

    /// <summary>
    /// "At least one lead per minute per campaign group": groups A and B keep sending, C goes
    /// silent. Only C is alerted, and its alert resolves when C's leads return — no restart.
    /// Real time (about 70 s): the window is a minute and Hangfire checks every 5 seconds.
    /// </summary>
    [Fact]
    public async Task Volume_rule_alerts_the_silent_campaign_group_and_resolves_when_it_returns()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        using var created = await Client.PostAsync(DistributedDeployment.AdminKey, "/v1/rules", $$"""
            {"name":"leads per campaign group","kind":"volume",
             "match":{"name":{"equals":"lead created"},"tags":{"run":"{{run}}"} },
             "volume":{"min":1,"windowSeconds":60,"groupBy":"campaignGroup","schedule":{"cron":"*/5 * * * * *"} } }
            """);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var ruleId = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;

        async Task Lead(string group) =>
            await Client.IngestAsync(DistributedDeployment.IngestKey, $$"""{"name":"lead created","tags":{"run":"{{run}}","campaignGroup":"{{group}}"} }""");

        await Lead("A");
        await Lead("B");
        await Lead("C");

        var alerted = await KeepSendingUntilAsync(["A", "B"], Lead, ruleId, alerts => alerts.Any(a => Is(a, "C", "open")), TimeSpan.FromSeconds(120));
        Assert.DoesNotContain(alerted, a => a.GetProperty("group").GetString() is "A" or "B");
        var alert = alerted.Single(a => Is(a, "C", "open"));
        Assert.Equal(0, alert.GetProperty("evidence").GetProperty("count").GetInt64());

        await Lead("C");
        var after = await KeepSendingUntilAsync(["A", "B"], Lead, ruleId, alerts => alerts.Any(a => Is(a, "C", "resolved")), TimeSpan.FromSeconds(30));
        Assert.Single(after);
        Assert.Equal(1, after[0].GetProperty("resolution").GetProperty("count").GetInt64());
    }

    /// <summary>The rules process checks a rule's channels against the notifications process's API, as the caller.</summary>
    [Fact]
    public async Task Rule_channels_are_checked_against_the_notifications_service()
    {
        using var unknown = await Client.PostAsync(DistributedDeployment.AdminKey, "/v1/rules", """{"name":"x","kind":"match","channels":["ch_missing"]}""");
        var problem = await ProblemAssert.NamesFieldAsync(unknown, "channels");
        Assert.Contains("ch_missing", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var channel = await Client.PostAsync(DistributedDeployment.AdminKey, "/v1/channels",
            """{"name":"ops","kind":"ntfy","ntfy":{"topic":"operational-e2e"}}""");
        Assert.Equal(HttpStatusCode.Created, channel.StatusCode);
        var channelId = JsonDocument.Parse(await channel.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();

        using var known = await Client.PostAsync(DistributedDeployment.AdminKey, "/v1/rules", $$"""{"name":"x","kind":"match","channels":["{{channelId}}"]}""");
        Assert.Equal(HttpStatusCode.Created, known.StatusCode);
    }

    /// <summary>
    /// An acknowledge link reaches the rules process through the gateway without any credentials
    /// (its signature is the proof, checked there): a forged one is refused by the rules service.
    /// </summary>
    [Fact]
    public async Task Acknowledge_links_pass_the_gateway_without_credentials_and_the_rules_service_checks_them()
    {
        using var http = new HttpClient { BaseAddress = deployment.Gateway.Address };

        using var forged = await http.PostAsync("/ack/0196-not-an-alert/1999999999/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", null);
        var problem = await ProblemAssert.IsProblemAsync(forged, HttpStatusCode.Forbidden);
        Assert.Contains("does not acknowledge this alert", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var page = await http.GetAsync("/ack/0196-not-an-alert/1999999999/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        Assert.Equal("text/html; charset=utf-8", page.Content.Headers.ContentType?.ToString());
    }

    [Fact]
    public async Task Hangfire_dashboard_is_reached_through_the_gateway_by_admins_only()
    {
        using var admin = await Client.GetAsync(DistributedDeployment.AdminKey, "/hangfire");
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Contains("Operational rule checks", await admin.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var ingest = await Client.GetAsync(DistributedDeployment.IngestKey, "/hangfire");
        await ProblemAssert.IsProblemAsync(ingest, HttpStatusCode.Forbidden);

        using var direct = new HttpClient { BaseAddress = deployment.Rules.Address };
        using var around = await direct.GetAsync("/hangfire");
        Assert.Equal(HttpStatusCode.Unauthorized, around.StatusCode);
    }

    /// <summary>
    /// An event matches a rule in the rules process; its alert crosses RabbitMQ to the
    /// notifications process, which delivers it to a webhook receiver in this test.
    /// </summary>
    [Fact]
    public async Task Alert_crosses_the_bus_from_the_rules_process_to_a_webhook_delivered_by_the_notifications_process()
    {
        await using var receiver = await RecordingReceiver.StartAsync();
        var url = receiver.Address.ToString().TrimEnd('/');

        var name = "payment failed " + Guid.NewGuid().ToString("N")[..6];
        using var channel = await Client.PostAsync(DistributedDeployment.AdminKey, "/v1/channels",
            $$"""{"name":"hook","kind":"webhook","webhook":{"url":"{{url}}/hook"} }""");
        Assert.Equal(HttpStatusCode.Created, channel.StatusCode);
        var channelId = JsonDocument.Parse(await channel.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        using var rule = await Client.PostAsync(DistributedDeployment.AdminKey, "/v1/rules",
            $$"""{"name":"payments","kind":"match","match":{"name":{"equals":"{{name}}"} },"channels":["{{channelId}}"]}""");
        Assert.Equal(HttpStatusCode.Created, rule.StatusCode);

        await Client.IngestAsync(DistributedDeployment.IngestKey, $$"""{"name":"{{name}}","level":"error"}""");

        var hook = await receiver.WaitForAsync(r => r.Path == "/hook", TimeSpan.FromSeconds(30));
        using var payload = JsonDocument.Parse(hook.Body);
        Assert.Equal("alert.triggered", payload.RootElement.GetProperty("type").GetString());
        Assert.Equal("payments", payload.RootElement.GetProperty("data").GetProperty("ruleName").GetString());
    }

    private async Task<List<JsonElement>> KeepSendingUntilAsync(
        string[] groups, Func<string, Task> lead, string ruleId, Func<List<JsonElement>, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var lastLead = DateTime.MinValue;
        while (true)
        {
            if (DateTime.UtcNow - lastLead > TimeSpan.FromSeconds(5))
            {
                foreach (var group in groups)
                {
                    await lead(group);
                }

                lastLead = DateTime.UtcNow;
            }

            var alerts = (await Client.GetJsonAsync(DistributedDeployment.AdminKey, $"/v1/alerts?ruleId={ruleId}"))
                .GetProperty("alerts").EnumerateArray().ToList();
            if (done(alerts))
            {
                return alerts;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Alerts did not reach the expected state within {timeout}: {string.Join(", ", alerts)}\n{deployment.Rules.Output}");
            }

            await Task.Delay(500);
        }
    }

    private static bool Is(JsonElement alert, string group, string status) =>
        alert.GetProperty("group").GetString() == group && alert.GetProperty("status").GetString() == status;
}
