using System.Text.Json;
using Operational.TestSupport;

namespace Operational.ApiTests;

/// <summary>
/// A volume rule in its statistic form on a fake clock: "p95 of import finished's durationMs above
/// 30 s for a customer in the last hour" alerts for the one customer whose imports got slow, and
/// resolves once the hour holds fast imports again.
/// </summary>
public sealed class MetricRuleApiTests() : FakeClockHostTests(new DateTimeOffset(2027, 5, 3, 9, 0, 0, TimeSpan.Zero))
{
    [Fact]
    public async Task A_p95_rule_alerts_for_exactly_the_customer_whose_p95_crossed_and_resolves_when_it_is_back()
    {
        var ruleId = await CreateAsync("/v1/rules", """
            {"name": "slow imports", "kind": "volume", "match": {"name": {"equals": "import finished"}},
             "volume": {"windowSeconds": 3600, "groupBy": "customer", "stat": {"field": "durationMs", "fn": "p95"}, "above": 30000, "schedule": {"cron": "*/5 * * * *"}}}
            """);
        // acme and globex import in 5–20 s; initech's slowest tenth takes 45 s, so its p95 is 45 s.
        var events = new List<object>();
        for (var i = 0; i < 60; i++)
        {
            events.Add(Import("acme", 5_000 + (i * 250)));
            events.Add(Import("globex", 8_000 + (i * 100)));
            events.Add(Import("initech", i % 10 == 0 ? 45_000 : 6_000));
            events.Add(new { name = "import finished", tags = new { customer = "umbrella" } }); // no duration: counts for nothing
        }

        await SendAsync(events);
        Time.Advance(TimeSpan.FromMinutes(5));

        var alert = await WaitForAlertAsync(ruleId, "open");
        Assert.Equal("initech", alert.GetProperty("group").GetString());
        var evidence = alert.GetProperty("evidence");
        Assert.InRange(evidence.GetProperty("value").GetDouble(), 45_000 * 0.99, 45_000 * 1.01);
        Assert.Equal(60, evidence.GetProperty("count").GetInt64());
        Assert.Contains("p95 of durationMs was", evidence.GetProperty("summary").GetString(), StringComparison.Ordinal);
        await RunScheduledChecksAsync(ruleId); // a second look, with every event surely counted: still only initech
        var open = (await Client.GetJsonAsync(StandaloneFactory.AdminKey, $"/v1/alerts?status=open&ruleId={ruleId}")).GetProperty("alerts");
        Assert.Equal(["initech"], open.EnumerateArray().Select(a => a.GetProperty("group").GetString()!));

        // An hour later initech's imports are fast again: the window holds only those.
        Time.Advance(TimeSpan.FromMinutes(61));
        await SendAsync(Enumerable.Range(0, 20).Select(_ => Import("initech", 7_000)).ToList<object>());
        Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("initech", (await WaitForAlertAsync(ruleId, "resolved")).GetProperty("group").GetString());
    }

    [Fact]
    public async Task A_threshold_on_a_p99_opens_on_the_event_that_makes_it_once_it_has_enough_values_and_resolves_when_the_window_empties()
    {
        var ruleId = await CreateAsync("/v1/rules", """
            {"name": "slow checkout", "kind": "threshold", "match": {"name": {"equals": "checkout"}},
             "threshold": {"count": 5, "windowSeconds": 600, "stat": {"field": "latencyMs", "fn": "p99"}, "above": 1000}}
            """);
        object Checkout(int latency) => new { name = "checkout", tags = new { latencyMs = latency } };

        await SendAsync([Checkout(2500), Checkout(2600), Checkout(2700), Checkout(2800)]);
        await Task.Delay(1000); // the rules service has seen them: four values are too few to judge by
        Assert.Equal(0, (await Client.GetJsonAsync(StandaloneFactory.AdminKey, $"/v1/alerts?status=open&ruleId={ruleId}")).GetProperty("alerts").GetArrayLength());

        await SendAsync([Checkout(2900)]);
        var open = await Client.WaitForJsonAsync(StandaloneFactory.AdminKey, $"/v1/alerts?status=open&ruleId={ruleId}",
            a => a.GetProperty("alerts").GetArrayLength() == 1, TimeSpan.FromSeconds(10)); // on the event path: no scheduled check ran
        var evidence = open.GetProperty("alerts")[0].GetProperty("evidence");
        Assert.InRange(evidence.GetProperty("value").GetDouble(), 2800 * 0.99, 2900 * 1.01);
        Assert.Equal(5, evidence.GetProperty("count").GetInt64()); // judged with the fifth value, not before

        Time.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(ruleId, (await WaitForAlertAsync(ruleId, "resolved")).GetProperty("ruleId").GetString());
    }

    [Theory]
    [InlineData("""{"windowSeconds": 3600, "stat": {"field": "durationMs", "fn": "p95"}}""", "volume.above")]
    [InlineData("""{"windowSeconds": 3600, "stat": {"field": "durationMs", "fn": "p42"}, "above": 1}""", "volume.stat.fn")]
    [InlineData("""{"windowSeconds": 3600, "stat": {"fn": "p95"}, "above": 1}""", "volume.stat.field")]
    [InlineData("""{"windowSeconds": 3600, "stat": {"field": "durationMs"}, "above": 1, "below": 5}""", "volume.below")]
    [InlineData("""{"windowSeconds": 3600, "min": 1, "stat": {"field": "durationMs"}, "above": 1}""", "volume.min")]
    [InlineData("""{"windowSeconds": 3600, "min": 1, "above": 1}""", "volume.above")]
    public async Task A_statistic_rule_with_a_mistake_is_a_400_naming_the_field(string volume, string field)
    {
        using var answer = await Client.PostAsync(StandaloneFactory.AdminKey, "/v1/rules", $$"""{"name": "r", "kind": "volume", "volume": {{volume}}}""");
        await AssertNamesAsync(answer, field);
    }

    [Theory]
    [InlineData("""{"windowSeconds": 600, "stat": {"field": "latencyMs"}}""", "threshold.above")]
    [InlineData("""{"windowSeconds": 600, "count": 5, "above": 1}""", "threshold.above")]
    [InlineData("""{"windowSeconds": 600, "stat": {"field": "latencyMs"}, "above": 1, "rate": {"percent": 5, "where": {"level": "error"}}}""", "threshold.rate")]
    [InlineData("""{"windowSeconds": 600, "count": 0, "stat": {"field": "latencyMs"}, "above": 1}""", "threshold.count")]
    public async Task A_statistic_threshold_with_a_mistake_is_a_400_naming_the_field(string threshold, string field)
    {
        using var answer = await Client.PostAsync(StandaloneFactory.AdminKey, "/v1/rules", $$"""{"name": "r", "kind": "threshold", "threshold": {{threshold}}}""");
        await AssertNamesAsync(answer, field);
    }

    private static async Task AssertNamesAsync(HttpResponseMessage answer, string field)
    {

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, answer.StatusCode);
        var problem = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    private static object Import(string customer, int durationMs) => new { name = "import finished", tags = new Dictionary<string, object> { ["customer"] = customer, ["durationMs"] = durationMs } };

    private async Task SendAsync(List<object> events)
    {
        using var answer = await Client.PostAsync(StandaloneFactory.IngestKey, "/v1/events/batch", JsonSerializer.Serialize(new { events }));
        Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
    }

    /// <summary>Checks as Hangfire would until the rules service has counted enough for an alert of <paramref name="status"/>; that one alert.</summary>
    private async Task<JsonElement> WaitForAlertAsync(string ruleId, string status)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            await RunScheduledChecksAsync(ruleId);
            var alerts = (await Client.GetJsonAsync(StandaloneFactory.AdminKey, $"/v1/alerts?status={status}&ruleId={ruleId}")).GetProperty("alerts");
            if (alerts.GetArrayLength() > 0 || DateTime.UtcNow > deadline)
            {
                return Assert.Single(alerts.EnumerateArray());
            }

            await Task.Delay(100);
        }
    }
}
