using System.Net;
using System.Text.Json;
using Operational.TestSupport;

namespace Operational.ApiTests;

/// <summary>
/// Saved metrics: a numeric tag of the events meeting any conditions of the rules' match language,
/// folded into rollups from the metric's creation on and read with <c>GET /v1/metrics?metric=</c>.
/// </summary>
public sealed class SavedMetricsApiTests(StandaloneFactory factory) : IClassFixture<StandaloneFactory>
{
    private const string Admin = StandaloneFactory.AdminKey;
    private const string Ingest = StandaloneFactory.IngestKey;
    private readonly OperationalClient _client = factory.CreateOperationalClient();

    [Fact]
    public async Task A_saved_metric_measures_only_the_events_meeting_its_conditions_from_its_creation_on_per_group_and_minute()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var key = "pro-imports-" + suffix;
        var category = "imports-" + suffix;
        await SendAsync(Event("import finished", category, "pro", "acme", 999_999)); // before the metric: not measured
        await Task.Delay(20);

        using var created = await _client.PostAsync(Admin, "/v1/metrics/saved", $$"""
            {"key": "{{key}}", "title": "Pro imports", "field": "durationMs", "groupBy": "customer",
             "match": {"name": {"prefix": "import "}, "category": "{{category}}", "tags": {"plan": "pro"} } }
            """);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/v1/metrics/saved/{key}", created.Headers.Location?.OriginalString);

        await SendAsync(
            Event("import finished", category, "pro", "acme", 100),
            Event("import finished", category, "pro", "acme", 300),
            Event("import started", category, "pro", "globex", 40),
            Event("import finished", category, "free", "acme", 5_000),        // another plan
            Event("import finished", "exports-" + suffix, "pro", "acme", 7_000), // another category
            Event("export finished", category, "pro", "acme", 8_000),          // another name
            Event("import finished", category, "pro", "initech", 9_000) with { Test = true },
            new SentEvent("import finished", category, new Dictionary<string, object> { ["plan"] = "pro", ["customer"] = "acme", ["durationMs"] = "slow" }, false));

        var path = $"/v1/metrics?metric={key}&bucket=minute&fn=count,max&from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(-10).ToString("O"))}";
        var metrics = await _client.WaitForJsonAsync(Admin, path, m => m.GetProperty("all").GetProperty("count").GetInt64() >= 3, TimeSpan.FromSeconds(15));
        await Task.Delay(1500); // a fold that was still coming would show now
        metrics = await _client.GetJsonAsync(Admin, path);

        Assert.Equal(3, metrics.GetProperty("all").GetProperty("count").GetInt64());
        Assert.Equal(300, metrics.GetProperty("all").GetProperty("total").GetProperty("max").GetDouble());
        Assert.Equal("customer", metrics.GetProperty("groupBy").GetString());
        Assert.False(metrics.TryGetProperty("name", out _), "a saved metric has no event name");
        Assert.Equal(key, metrics.GetProperty("metric").GetProperty("key").GetString());
        var groups = metrics.GetProperty("groups").EnumerateArray().ToDictionary(g => g.GetProperty("group").GetString()!, g => g.GetProperty("count").GetInt64());
        Assert.Equal(new Dictionary<string, long> { ["acme"] = 2, ["globex"] = 1 }, groups);

        var catalog = await _client.GetJsonAsync(Admin, "/v1/metrics/catalog");
        Assert.Contains(catalog.GetProperty("saved").EnumerateArray(), m => m.GetProperty("key").GetString() == key);
        Assert.DoesNotContain(catalog.GetProperty("metrics").EnumerateArray(), m => m.GetProperty("name").GetString()!.Contains('\u0001', StringComparison.Ordinal));

        using var deleted = await _client.DeleteAsync(Admin, $"/v1/metrics/saved/{key}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync(Admin, path)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync(Admin, $"/v1/metrics/saved/{key}")).StatusCode);
    }

    [Theory]
    [InlineData("""{"key": "Bad Key", "field": "durationMs"}""", "key")]
    [InlineData("""{"key": "ok", "field": "durationMs", "match": {"level": "fatal"}}""", "match.level")]
    [InlineData("""{"key": "ok", "field": "durationMs", "match": {"name": {"equals": "a", "prefix": "b"}}}""", "match.name")]
    [InlineData("""{"key": "ok", "field": "durationMs", "match": {"tags": {"plan": ["pro"]}}}""", "match.tags.plan")]
    [InlineData("""{"key": "ok"}""", "field")]
    [InlineData("""{"key": "ok", "field": "durationMs", "groupBy": "durationMs"}""", "groupBy")]
    [InlineData("""{"key": "ok", "field": "durationMs", "title": ""}""", "title")]
    public async Task A_definition_with_a_mistake_is_a_400_naming_the_field(string body, string field)
    {
        using var answer = await _client.PostAsync(Admin, "/v1/metrics/saved", body);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        var problem = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task Saved_metrics_answer_conflicts_wrong_keys_oversized_bodies_and_wrong_queries_with_problems()
    {
        var key = "latency-" + Guid.NewGuid().ToString("N")[..8];
        var body = $$"""{"key": "{{key}}", "field": "latencyMs", "groupBy": "region"}""";
        Assert.Equal(HttpStatusCode.Created, (await _client.PostAsync(Admin, "/v1/metrics/saved", body)).StatusCode);

        await AssertProblemAsync(HttpStatusCode.Conflict, await _client.PostAsync(Admin, "/v1/metrics/saved", body));
        await AssertProblemAsync(HttpStatusCode.Forbidden, await _client.PostAsync(Ingest, "/v1/metrics/saved", body.Replace(key, key + "-i", StringComparison.Ordinal)));
        await AssertProblemAsync(HttpStatusCode.Forbidden, await _client.GetAsync(Ingest, "/v1/metrics/saved"));
        await AssertProblemAsync(HttpStatusCode.Forbidden, await _client.DeleteAsync(Ingest, $"/v1/metrics/saved/{key}"));
        await AssertProblemAsync(HttpStatusCode.Unauthorized, await _client.PostAsync(null, "/v1/metrics/saved", body));
        var padding = new string('x', 20_000);
        await AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, await _client.PostAsync(Admin, "/v1/metrics/saved", $$"""{"key": "big", "field": "x", "title": "{{padding}}"}"""));
        await AssertProblemAsync(HttpStatusCode.NotFound, await _client.GetAsync(Admin, "/v1/metrics?metric=no-such-metric"));
        await AssertProblemAsync(HttpStatusCode.NotFound, await _client.DeleteAsync(Admin, "/v1/metrics/saved/no-such-metric"));
        await AssertProblemAsync(HttpStatusCode.BadRequest, await _client.GetAsync(Admin, $"/v1/metrics?metric={key}&name=x&field=y"));
        await AssertProblemAsync(HttpStatusCode.BadRequest, await _client.GetAsync(Admin, $"/v1/metrics?metric={key}&groupBy=customer"));

        var listed = await _client.GetJsonAsync(Admin, "/v1/metrics/saved");
        var saved = Assert.Single(listed.GetProperty("metrics").EnumerateArray(), m => m.GetProperty("key").GetString() == key);
        Assert.Equal(key, saved.GetProperty("title").GetString());
        Assert.Equal("region", saved.GetProperty("groupBy").GetString());
    }

    private static async Task AssertProblemAsync(HttpStatusCode status, HttpResponseMessage answer)
    {
        using (answer)
        {
            Assert.Equal(status, answer.StatusCode);
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        }
    }

    private sealed record SentEvent(string Name, string Category, Dictionary<string, object> Tags, bool Test);

    private static SentEvent Event(string name, string category, string plan, string customer, double durationMs) =>
        new(name, category, new Dictionary<string, object> { ["plan"] = plan, ["customer"] = customer, ["durationMs"] = durationMs }, false);

    private async Task SendAsync(params SentEvent[] events)
    {
        var body = JsonSerializer.Serialize(new { events = events.Select(e => new { name = e.Name, category = e.Category, tags = e.Tags, test = e.Test }) });
        using var answer = await _client.PostAsync(Ingest, "/v1/events/batch", body);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
    }
}
