using System.Net;
using System.Text.Json;
using Operational.TestSupport;

namespace Operational.ApiTests;

/// <summary>The public ingest and read API of the standalone host, through HTTP.</summary>
public sealed class IngestApiTests(StandaloneFactory factory) : IClassFixture<StandaloneFactory>
{
    private readonly OperationalClient _client = factory.CreateOperationalClient();

    [Fact]
    public async Task Accepted_event_is_readable_with_the_admin_key()
    {
        using var response = await _client.PostEventAsync(StandaloneFactory.IngestKey, """{"name":"user signed up","avatar":"🎉","category":"signups","content":{"plan":"pro"}}""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        Assert.Equal($"/v1/events/{id}", response.Headers.Location?.OriginalString);

        var stored = await _client.WaitForEventAsync(StandaloneFactory.AdminKey, id, TimeSpan.FromSeconds(5));
        Assert.Equal("user signed up", stored.GetProperty("name").GetString());
        Assert.Equal("🎉", stored.GetProperty("avatar").GetString());
        Assert.Equal("signups", stored.GetProperty("category").GetString());
        Assert.Equal("pro", stored.GetProperty("content").GetProperty("plan").GetString());
        Assert.Equal("default", stored.GetProperty("project").GetString());

        var list = await _client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/events?limit=500");
        Assert.Contains(list.GetProperty("events").EnumerateArray(), e => e.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task Request_without_key_is_401_problem_with_challenge()
    {
        using var response = await _client.Http.GetAsync("/v1/events");

        await AssertProblem(response, HttpStatusCode.Unauthorized, "Authorization: Bearer");
        Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_key_is_401_and_reaches_no_bus()
    {
        var before = factory.Sink.Batches.Count;

        using var response = await _client.PostEventAsync("op_ingest_not-a-real-key-at-all-000000", """{"name":"x"}""");

        await AssertProblem(response, HttpStatusCode.Unauthorized, "not valid");
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(before, factory.Sink.Batches.Count);
    }

    [Fact]
    public async Task Ingest_key_cannot_read_403_names_the_scope()
    {
        using var list = await _client.GetAsync(StandaloneFactory.IngestKey, "/v1/events");
        using var one = await _client.GetAsync(StandaloneFactory.IngestKey, "/v1/events/anything");

        await AssertProblem(list, HttpStatusCode.Forbidden, "scope 'read'");
        await AssertProblem(one, HttpStatusCode.Forbidden, "scope 'read'");
    }

    [Theory]
    [InlineData("""{"name": "x",""", "body")]
    [InlineData("""[1,2]""", "body")]
    [InlineData("""{"avatar":"🎉"}""", "name")]
    [InlineData("""{"name": 42}""", "name")]
    [InlineData("""{"name": "   "}""", "name")]
    [InlineData("""{"name": "a\nb"}""", "name")]
    [InlineData("""{"name": "x", "nmae": "typo"}""", "nmae")]
    [InlineData("""{"name": "x", "avatar": "🎉🎉"}""", "avatar")]
    [InlineData("""{"name": "x", "category": false}""", "category")]
    public async Task Invalid_event_is_400_naming_the_field_and_reaches_no_bus(string json, string field)
    {
        var before = factory.Sink.Batches.Count;

        using var response = await _client.PostEventAsync(StandaloneFactory.IngestKey, json);

        var problem = await AssertProblem(response, HttpStatusCode.BadRequest, field);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name '{field}': {problem}");
        Assert.Equal(before, factory.Sink.Batches.Count);
    }

    [Fact]
    public async Task Non_json_content_type_is_415()
    {
        using var response = await _client.PostEventAsync(StandaloneFactory.IngestKey, "user signed up", "text/plain");

        await AssertProblem(response, HttpStatusCode.UnsupportedMediaType, "application/json");
    }

    [Fact]
    public async Task Oversized_body_is_413()
    {
        var json = $$"""{"name":"x","content":"{{new string('a', 70_000)}}"}""";

        using var response = await _client.PostEventAsync(StandaloneFactory.IngestKey, json);

        await AssertProblem(response, HttpStatusCode.RequestEntityTooLarge, "at most");
    }

    [Fact]
    public async Task Pages_cover_every_event_once_newest_first()
    {
        using var isolated = new StandaloneFactory();
        var client = isolated.CreateOperationalClient();
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add(await client.IngestAsync(StandaloneFactory.IngestKey, $$"""{"name":"event {{i}}"}"""));
        }

        await client.WaitForEventAsync(StandaloneFactory.AdminKey, ids[^1], TimeSpan.FromSeconds(5));
        var seen = new List<(DateTimeOffset Timestamp, string Id)>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/events?limit=3" + (cursor is null ? "" : "&cursor=" + cursor));
            seen.AddRange(page.GetProperty("events").EnumerateArray()
                .Select(e => (e.GetProperty("timestamp").GetDateTimeOffset(), e.GetProperty("id").GetString()!)));
            cursor = page.TryGetProperty("nextCursor", out var next) ? next.GetString() : null;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(ids.Order(), seen.Select(e => e.Id).Order());
        // Newest first; events within the same millisecond are ordered by id, descending.
        var expected = seen.OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Id, StringComparer.Ordinal).ToList();
        Assert.Equal(expected, seen);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("cursor=%%%", "cursor")]
    public async Task Bad_list_parameters_are_400_naming_them(string query, string field)
    {
        using var response = await _client.GetAsync(StandaloneFactory.AdminKey, "/v1/events?" + query);

        var problem = await AssertProblem(response, HttpStatusCode.BadRequest, field);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Theory]
    [InlineData("text/html", "/v1/events", null)]
    [InlineData("text/event-stream", "/v1/events/stream", null)]
    [InlineData("application/xml", "/v1/events", StandaloneFactory.IngestKey)]
    [InlineData("image/png", "/no/such/route", StandaloneFactory.AdminKey)]
    public async Task Errors_are_problem_json_whatever_the_client_accepts(string accept, string path, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        if (key is not null)
        {
            request.Headers.Authorization = new("Bearer", key);
        }

        using var response = await _client.Http.SendAsync(request);

        Assert.InRange((int)response.StatusCode, 400, 499);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.TryGetProperty("status", out _));
    }

    [Fact]
    public async Task Unknown_event_is_404_problem()
    {
        using var response = await _client.GetAsync(StandaloneFactory.AdminKey, "/v1/events/does-not-exist");

        await AssertProblem(response, HttpStatusCode.NotFound, "does-not-exist");
    }

    [Fact]
    public async Task Health_endpoints_answer_without_a_key()
    {
        using var live = await _client.Http.GetAsync("/health/live");
        using var ready = await _client.Http.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var checks = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement.GetProperty("checks");
        Assert.True(checks.TryGetProperty("bus", out _));
        Assert.True(checks.TryGetProperty("storage-storage", out _));
        Assert.True(checks.TryGetProperty("gateway-storage", out _));
    }

    private static Task<JsonElement> AssertProblem(HttpResponseMessage response, HttpStatusCode status, string detailContains) =>
        ProblemAssert.IsProblemAsync(response, status, detailContains);
}
