using System.Net;
using System.Text;
using System.Text.Json;
using Operational.TestSupport;

namespace Operational.ApiTests;

/// <summary>
/// Users, groups and insights through every API that writes them — LogSnag's documented request
/// bodies, Operational's identify, the native endpoints — read back through the native API.
/// </summary>
public sealed class ProductProfilesApiTests(StandaloneFactory factory) : IClassFixture<StandaloneFactory>
{
    private const string Admin = StandaloneFactory.AdminKey;
    private const string Ingest = StandaloneFactory.IngestKey;

    private readonly OperationalClient _client = factory.CreateOperationalClient();
    private readonly HttpClient _http = factory.CreateClient();

    [Fact]
    public async Task LogSnag_log_body_from_its_docs_is_an_event_with_its_fields()
    {
        var channel = Unique("waitlist");
        // docs.logsnag.com/api-reference/log, with the tags of its Python SDK's example.
        var answer = await SendAsync(HttpMethod.Post, "/v1/log", $$"""
            {"project": "my-saas", "channel": "{{channel}}", "event": "User Joined", "description": "Email: john@doe.com",
             "icon": "🎉", "notify": true, "tags": {"email": "john@doe.com", "user-id": "uid-12"}, "parser": "text", "user_id": "user_123"}
            """);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var id = (await Json(answer)).GetProperty("id").GetString()!;

        var e = await _client.WaitForEventAsync(Admin, id, TimeSpan.FromSeconds(5));
        Assert.Equal((channel, "User Joined", "Email: john@doe.com", "🎉"),
            (e.GetProperty("category").GetString(), e.GetProperty("name").GetString(), e.GetProperty("content").GetString(), e.GetProperty("avatar").GetString()));
        Assert.True(e.GetProperty("notify").GetBoolean());
        Assert.Equal(("john@doe.com", "uid-12"), (e.GetProperty("tags").GetProperty("email").GetString(), e.GetProperty("tags").GetProperty("user-id").GetString()));
        Assert.Equal("user_123", e.GetProperty("userId").GetString());
    }

    [Fact]
    public async Task LogSnag_historical_log_with_a_shortcode_icon_and_markdown_is_backfilled_with_warnings()
    {
        var channel = Unique("payments");
        var answer = await SendAsync(HttpMethod.Post, "/v1/log", $$"""
            {"project": "my-saas", "channel": "{{channel}}", "event": "Payment Received", "description": "**$49** from [acme](https://acme.example)",
             "icon": ":moneybag:", "parser": "markdown", "timestamp": 1700000000}
            """);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var e = await _client.WaitForEventAsync(Admin, (await Json(answer)).GetProperty("id").GetString()!, TimeSpan.FromSeconds(5));

        Assert.Equal("💰", e.GetProperty("avatar").GetString());
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), e.GetProperty("timestamp").GetDateTimeOffset());
        Assert.True(e.GetProperty("backfilled").GetBoolean()); // history never notifies, as LogSnag says of historical logs
        Assert.Contains(e.GetProperty("warnings").EnumerateArray(), w => w.GetProperty("field").GetString() == "parser");
    }

    [Fact]
    public async Task LogSnag_identify_merges_properties_into_the_user_its_events_made()
    {
        var user = Unique("user");
        var log = await SendAsync(HttpMethod.Post, "/v1/log", $$"""{"project": "my-saas", "channel": "signups", "event": "User Joined", "user_id": "{{user}}"}""");
        var eventId = (await Json(log)).GetProperty("id").GetString()!;
        await WaitForUserAsync(user, events: 1);

        // docs.logsnag.com/api-reference/identify: once at signup, again when the plan changes.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, "/v1/identify",
            $$$"""{"project": "my-saas", "user_id": "{{{user}}}", "properties": {"name": "John Doe", "email": "john@doe.com", "plan": "free"}}""")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, "/v1/identify",
            $$$"""{"project": "my-saas", "user_id": "{{{user}}}", "properties": {"plan": "premium", "trial": true}}""")).StatusCode);

        var profile = await _client.GetJsonAsync(Admin, $"/v1/users/{user}");
        var properties = profile.GetProperty("properties");
        Assert.Equal(("John Doe", "john@doe.com", "premium", true),
            (properties.GetProperty("name").GetString(), properties.GetProperty("email").GetString(), properties.GetProperty("plan").GetString(), properties.GetProperty("trial").GetBoolean()));
        Assert.Equal(1, profile.GetProperty("eventCount").GetInt64());
        Assert.True(profile.GetProperty("firstSeen").GetDateTimeOffset() <= profile.GetProperty("lastSeen").GetDateTimeOffset());

        var journey = await _client.GetJsonAsync(Admin, $"/v1/users/{user}/journey");
        Assert.Equal(eventId, Assert.Single(journey.GetProperty("events").EnumerateArray()).GetProperty("id").GetString());
        var found = await _client.GetJsonAsync(Admin, $"/v1/users?property=plan:premium&q={user}");
        Assert.Equal(user, Assert.Single(found.GetProperty("users").EnumerateArray()).GetProperty("userId").GetString());
        var notFound = await _client.GetJsonAsync(Admin, $"/v1/users?property=plan:free&q={user}");
        Assert.Empty(notFound.GetProperty("users").EnumerateArray());
    }

    [Fact]
    public async Task A_resent_event_counts_once_and_test_events_make_no_user()
    {
        var user = Unique("user");
        var id = Unique("evt");
        for (var i = 0; i < 3; i++)
        {
            await _client.PostEventAsync(Ingest, $$"""{"id": "{{id}}", "name": "order placed", "userId": "{{user}}"}""");
        }

        await _client.IngestAsync(Ingest, $$"""{"name": "order placed", "userId": "{{user}}-test", "test": true}""");
        await _client.IngestAsync(Ingest, $$"""{"name": "order shipped", "userId": "{{user}}"}""");

        var profile = await WaitForUserAsync(user, events: 2);
        Assert.Equal(2, profile.GetProperty("eventCount").GetInt64());
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync(Admin, $"/v1/users/{user}-test")).StatusCode);
    }

    [Fact]
    public async Task LogSnag_insight_tracked_as_its_sdk_does_then_incremented_keeps_its_history()
    {
        var title = Unique("User Count");
        // The JS SDK's README: insight.track with value "100", then insight.increment by 1 (PATCH /v1/insight).
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, "/v1/insight", $$"""{"project": "my-saas", "title": "{{title}}", "value": "100", "icon": "👨"}""")).StatusCode);
        var incremented = await SendAsync(HttpMethod.Patch, "/v1/insight", $$"""{"project": "my-saas", "title": "{{title}}", "value": {"$inc": 1}, "icon": "👨"}""");
        Assert.Equal(HttpStatusCode.OK, incremented.StatusCode);
        Assert.Equal(101, (await Json(incremented)).GetProperty("value").GetDecimal());
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Patch, "/v1/insights", $$$"""{"title": "{{{title}}}", "value": {"$inc": -0.5}}""")).StatusCode);

        var insights = await _client.GetJsonAsync(Admin, "/v1/insights");
        var insight = Assert.Single(insights.GetProperty("insights").EnumerateArray(), i => i.GetProperty("title").GetString() == title);
        Assert.Equal((100.5m, "👨"), (insight.GetProperty("value").GetDecimal(), insight.GetProperty("icon").GetString()));
        Assert.Equal(["\"100\"", "101", "100.5"], insight.GetProperty("history").EnumerateArray().Select(p => p.GetProperty("value").GetRawText()).ToArray());
    }

    [Fact]
    public async Task Concurrent_increments_all_count()
    {
        var title = Unique("Signups today");
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => SendAsync(HttpMethod.Patch, "/v1/insights", $$$"""{"title": "{{{title}}}", "value": {"$inc": 1}}""")));

        var insights = await _client.GetJsonAsync(Admin, "/v1/insights");
        Assert.Equal(20, Assert.Single(insights.GetProperty("insights").EnumerateArray(), i => i.GetProperty("title").GetString() == title).GetProperty("value").GetDecimal());
    }

    [Fact]
    public async Task LogSnag_group_keeps_the_groups_properties_and_its_member()
    {
        var (user, group) = (Unique("user"), Unique("acme"));
        var answer = await SendAsync(HttpMethod.Post, "/v1/group",
            $$$"""{"project": "my-saas", "user_id": "{{{user}}}", "group_id": "{{{group}}}", "properties": {"name": "Acme Inc", "seats": 25}}""");
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        await SendAsync(HttpMethod.Post, "/v1/group", $$"""{"project": "my-saas", "user_id": "{{user}}", "group_id": "{{group}}"}"""); // again: still one member

        var read = await _client.GetJsonAsync(Admin, $"/v1/groups/{group}");
        Assert.Equal(("Acme Inc", 25, 1L), (read.GetProperty("properties").GetProperty("name").GetString(), read.GetProperty("properties").GetProperty("seats").GetInt32(), read.GetProperty("members").GetInt64()));
        Assert.Equal(new[] { group }, (await _client.GetJsonAsync(Admin, $"/v1/users/{user}")).GetProperty("groups").EnumerateArray().Select(g => g.GetString()!).ToArray());
    }

    [Fact]
    public async Task Operational_identify_body_is_kept_where_Operational_discards_it()
    {
        var user = Unique("user");
        var answer = await SendAsync(HttpMethod.Post, "/api/v1/identify", $$$"""{"userId": "{{{user}}}", "properties": {"name": "Ana", "plan": "pro"}}""");

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var profile = await _client.GetJsonAsync(Admin, $"/v1/users/{user}");
        Assert.Equal("pro", profile.GetProperty("properties").GetProperty("plan").GetString());
        Assert.Equal(0, profile.GetProperty("eventCount").GetInt64());
    }

    [Theory]
    [InlineData("/v1/log", "POST", """{"project": "p", "event": "x"}""", "channel")]
    [InlineData("/v1/log", "POST", """{"project": "p", "channel": "c", "event": "x", "timestamp": "yesterday"}""", "timestamp")]
    [InlineData("/v1/log", "POST", """{"project": "p", "channel": "c", "event": ""}""", "event")]
    [InlineData("/v1/identify", "POST", """{"project": "p", "user_id": "u", "properties": {"address": {"city": "Oslo"}}}""", "properties.address")]
    [InlineData("/v1/identify", "POST", """{"project": "p", "properties": {"plan": "pro"}}""", "user_id")]
    [InlineData("/v1/identify", "POST", """{"project": "p", "user_id": "u", "properties": {}, "traits": {}}""", "traits")]
    [InlineData("/v1/insight", "POST", """{"project": "p", "title": "MRR"}""", "value")]
    [InlineData("/v1/insight", "PATCH", """{"project": "p", "title": "MRR", "value": {"$set": 4}}""", "value")]
    [InlineData("/v1/insight", "POST", """{"project": "p", "title": "MRR", "value": 1, "icon": "money"}""", "icon")]
    [InlineData("/v1/group", "POST", """{"project": "p", "user_id": "u"}""", "group_id")]
    [InlineData("/v1/users/u1", "POST", """{"properties": [1, 2]}""", "properties")]
    public async Task Bad_bodies_are_400_problems_naming_the_field(string path, string method, string body, string field)
    {
        var answer = await SendAsync(new HttpMethod(method), path, body);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        Assert.True((await Json(answer)).GetProperty("errors").TryGetProperty(field, out _), await answer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Incrementing_a_text_insight_is_a_400_and_leaves_it_as_it_was()
    {
        var title = Unique("Status");
        await SendAsync(HttpMethod.Post, "/v1/insights", $$"""{"title": "{{title}}", "value": "all good"}""");

        var answer = await SendAsync(HttpMethod.Patch, "/v1/insights", $$$"""{"title": "{{{title}}}", "value": {"$inc": 1}}""");

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        var insights = await _client.GetJsonAsync(Admin, "/v1/insights");
        Assert.Equal("all good", Assert.Single(insights.GetProperty("insights").EnumerateArray(), i => i.GetProperty("title").GetString() == title).GetProperty("value").GetString());
    }

    [Fact]
    public async Task Keys_are_checked_reading_needs_read_and_bodies_are_capped()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Post, "/v1/identify", """{"user_id": "u", "properties": {}}""", key: null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _client.GetAsync(Ingest, "/v1/users")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _client.GetAsync(Ingest, "/v1/insights")).StatusCode);
        var huge = "{\"user_id\": \"u\", \"properties\": {\"notes\": \"" + new string('x', 70_000) + "\"}}";
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await SendAsync(HttpMethod.Post, "/v1/identify", huge)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync(Admin, "/v1/users/nobody-at-all")).StatusCode);
    }

    /// <summary>The user once storage has counted <paramref name="events"/> of its events (it appears with the first).</summary>
    private async Task<JsonElement> WaitForUserAsync(string user, int events)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            var answer = await _client.GetAsync(Admin, $"/v1/users/{user}");
            if (answer.StatusCode == HttpStatusCode.OK && (await Json(answer)) is var profile && profile.GetProperty("eventCount").GetInt64() >= events
                || DateTime.UtcNow > deadline)
            {
                return await Json(await _client.GetAsync(Admin, $"/v1/users/{user}"));
            }

            await Task.Delay(50);
        }
    }

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string body, string? key = Ingest)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.Authorization = new("Bearer", key);
        }

        return await _http.SendAsync(request);
    }

    private static async Task<JsonElement> Json(HttpResponseMessage answer) => JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement;
}
