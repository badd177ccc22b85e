using System.Net;
using System.Text;
using System.Text.Json;
using Operational.TestSupport;

namespace Operational.ApiTests;

/// <summary>
/// The ping URLs as Healthchecks documents them (https://healthchecks.io/docs/http_api/), its
/// examples with the host replaced (<c>https://hc-ping.com/</c> → <c>/ping/</c>): each gets
/// Healthchecks' answer, and moves the check's status, its runs and the runs' contexts.
/// </summary>
public sealed class CheckPingApiTests(StandaloneFactory factory) : IClassFixture<StandaloneFactory>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly OperationalClient _client = factory.CreateOperationalClient();
    private readonly HttpClient _http = factory.CreateClient();

    [Fact]
    public async Task Success_ping_by_uuid_answers_OK_as_text_and_brings_the_check_up()
    {
        var (id, url) = await CreateCheckAsync("Filesystem Backup");

        using var response = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Get, url) { Version = HttpVersion.Version10 });

        await AssertAnswerAsync(response, HttpStatusCode.OK, "OK");
        var check = await WaitForCheckAsync(id, c => c.GetProperty("status").GetString() == "up");
        Assert.Equal(1, check.GetProperty("pings").GetInt32());
    }

    [Fact]
    public async Task Start_then_exit_status_0_is_one_completed_run_with_its_duration_in_one_context()
    {
        var (id, url) = await CreateCheckAsync("Nightly Report");

        await AssertAnswerAsync(await _http.GetAsync(url + "/start"), HttpStatusCode.OK, "OK");
        await WaitForCheckAsync(id, c => c.GetProperty("status").GetString() == "started");
        await Task.Delay(50);
        await AssertAnswerAsync(await _http.PostAsync(url + "/0", new StringContent("report sent to 12 people")), HttpStatusCode.OK, "OK");

        var run = (await RunsAsync(id)).Single();
        Assert.Equal("success", run.GetProperty("outcome").GetString());
        Assert.Equal(0, run.GetProperty("exitStatus").GetInt32());
        Assert.True(run.GetProperty("durationMs").GetInt64() >= 50);
        JsonElement context = await _client.WaitForContextAsync(StandaloneFactory.AdminKey, run.GetProperty("runId").GetString()!,
            c => c.GetProperty("context").GetProperty("status").GetString() == "completed", Wait);
        context = context.GetProperty("context");
        Assert.Equal("Nightly Report", context.GetProperty("title").GetString());
        Assert.Equal(2, context.GetProperty("eventCount").GetInt32());
        Assert.True(context.GetProperty("durationMs").GetInt64() >= 50);
        await WaitForCheckAsync(id, c => c.GetProperty("status").GetString() == "up");
    }

    [Fact]
    public async Task Fail_with_a_body_fails_the_run_and_alerts_with_its_output()
    {
        var (id, url) = await CreateCheckAsync("Database Backup");

        await AssertAnswerAsync(await _http.PostAsync(url + "/fail", new StringContent("pg_dump: error: connection refused")), HttpStatusCode.OK, "OK");

        await WaitForCheckAsync(id, c => c.GetProperty("status").GetString() == "down");
        var alert = (await _client.WaitForJsonAsync(StandaloneFactory.AdminKey, "/v1/alerts?status=open",
            a => a.GetProperty("alerts").EnumerateArray().Any(x => x.GetProperty("ruleId").GetString() == id), Wait))
            .GetProperty("alerts").EnumerateArray().Single(x => x.GetProperty("ruleId").GetString() == id);
        Assert.Equal("pg_dump: error: connection refused", alert.GetProperty("evidence").GetProperty("output").GetString());
        var run = (await RunsAsync(id)).Single();
        Assert.Equal(run.GetProperty("runId").GetString(), alert.GetProperty("evidence").GetProperty("contextId").GetString());
        await _client.WaitForContextAsync(StandaloneFactory.AdminKey, run.GetProperty("runId").GetString()!, c => c.GetProperty("context").GetProperty("status").GetString() == "failed", Wait);

        // The next success brings it back up and resolves the alert.
        await AssertAnswerAsync(await _http.GetAsync(url), HttpStatusCode.OK, "OK");
        await WaitForCheckAsync(id, c => c.GetProperty("status").GetString() == "up");
    }

    [Theory]
    [InlineData("1", "fail", 1)]
    [InlineData("0", "success", 0)]
    [InlineData("255", "fail", 255)]
    public async Task Exit_status_decides_the_outcome(string suffix, string outcome, int status)
    {
        var (id, url) = await CreateCheckAsync("certbot renew " + suffix);

        await AssertAnswerAsync(await _http.GetAsync($"{url}/{suffix}"), HttpStatusCode.OK, "OK");

        var run = (await RunsAsync(id)).Single();
        Assert.Equal((outcome, status), (run.GetProperty("outcome").GetString(), run.GetProperty("exitStatus").GetInt32()));
        var events = await _client.WaitForJsonAsync(StandaloneFactory.AdminKey, "/v1/events?category=checks",
            e => e.GetProperty("events").EnumerateArray().Any(x => x.GetProperty("contextId").GetString() == run.GetProperty("runId").GetString()), Wait);
        var e = events.GetProperty("events").EnumerateArray().Single(x => x.GetProperty("contextId").GetString() == run.GetProperty("runId").GetString());
        Assert.Equal(id, e.GetProperty("tags").GetProperty("check").GetString());
        Assert.Equal(status, e.GetProperty("tags").GetProperty("exitStatus").GetInt32());
        Assert.Equal(outcome == "fail" ? "error" : "success", e.GetProperty("level").GetString());
    }

    [Fact]
    public async Task Exit_status_above_255_is_invalid_url_format_and_other_suffixes_are_not_found()
    {
        var (_, url) = await CreateCheckAsync("bounds");

        await AssertAnswerAsync(await _http.GetAsync(url + "/256"), HttpStatusCode.BadRequest, "invalid url format");
        await AssertAnswerAsync(await _http.GetAsync(url + "/finish"), HttpStatusCode.NotFound, "not found");
        await AssertAnswerAsync(await _http.GetAsync(url + "?rid=not-a-uuid"), HttpStatusCode.BadRequest, "invalid uuid format");
    }

    [Fact]
    public async Task Log_keeps_the_status_and_joins_the_open_run()
    {
        var (id, url) = await CreateCheckAsync("Importer");
        await AssertAnswerAsync(await _http.GetAsync(url + "/start"), HttpStatusCode.OK, "OK");

        using var log = new HttpRequestMessage(HttpMethod.Post, url + "/log") { Content = new StringContent("Hello World", Encoding.UTF8, "text/plain") };
        await AssertAnswerAsync(await _http.SendAsync(log), HttpStatusCode.OK, "OK");

        var check = await WaitForCheckAsync(id, c => c.GetProperty("pings").GetInt32() == 2);
        Assert.Equal("started", check.GetProperty("status").GetString());
        var runId = (await RunsAsync(id)).Single().GetProperty("runId").GetString()!;
        await _client.WaitForContextAsync(StandaloneFactory.AdminKey, runId, c => c.GetProperty("context").GetProperty("eventCount").GetInt32() == 2, Wait);
    }

    [Fact]
    public async Task Run_ids_pair_two_overlapping_runs_with_their_own_ends()
    {
        var (id, url) = await CreateCheckAsync("Overlapping");
        const string First = "123e4567-e89b-12d3-a456-426614174000";
        const string Second = "123e4567-e89b-12d3-a456-426614174001";

        await AssertAnswerAsync(await _http.GetAsync($"{url}/start?rid={First}"), HttpStatusCode.OK, "OK");
        await Task.Delay(30);
        await AssertAnswerAsync(await _http.GetAsync($"{url}/start?rid={Second}"), HttpStatusCode.OK, "OK");
        await AssertAnswerAsync(await _http.GetAsync($"{url}/fail?rid={Second}"), HttpStatusCode.OK, "OK");
        await AssertAnswerAsync(await _http.GetAsync($"{url}?rid={First}"), HttpStatusCode.OK, "OK");

        var runs = (await RunsAsync(id)).ToDictionary(r => r.GetProperty("runId").GetString()!);
        Assert.Equal("success", runs[First].GetProperty("outcome").GetString());
        Assert.Equal("fail", runs[Second].GetProperty("outcome").GetString());
        Assert.True(runs[First].GetProperty("durationMs").GetInt64() > runs[Second].GetProperty("durationMs").GetInt64());
        await _client.WaitForContextAsync(StandaloneFactory.AdminKey, First, c => c.GetProperty("context").GetProperty("status").GetString() == "completed", Wait);
        await _client.WaitForContextAsync(StandaloneFactory.AdminKey, Second, c => c.GetProperty("context").GetProperty("status").GetString() == "failed", Wait);
    }

    [Fact]
    public async Task Slug_urls_need_a_ping_key_and_create_the_check_on_create_1()
    {
        using var created = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/keys", """{"name":"cron","scopes":["ping"]}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var pingKey = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;
        Assert.StartsWith("op_ping_", pingKey, StringComparison.Ordinal);

        await AssertAnswerAsync(await _http.GetAsync($"/ping/{pingKey}/database-backup-2"), HttpStatusCode.NotFound, "not found");
        await AssertAnswerAsync(await _http.GetAsync($"/ping/{pingKey}/database-backup-2?create=1"), HttpStatusCode.Created, "Created");
        await AssertAnswerAsync(await _http.GetAsync($"/ping/{pingKey}/database-backup-2/start"), HttpStatusCode.OK, "OK");

        var check = (await _client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/checks")).GetProperty("checks").EnumerateArray()
            .Single(c => c.GetProperty("slug").GetString() == "database-backup-2");
        Assert.Equal("started", (await WaitForCheckAsync(check.GetProperty("id").GetString()!, c => c.GetProperty("pings").GetInt32() == 2)).GetProperty("status").GetString());

        // The ping key does nothing else, and another key in its place is not a ping key.
        using var read = await _client.GetAsync(pingKey, "/v1/events");
        Assert.Equal(HttpStatusCode.Forbidden, read.StatusCode);
        await AssertAnswerAsync(await _http.GetAsync($"/ping/{StandaloneFactory.AdminKey}/database-backup-2"), HttpStatusCode.NotFound, "not found");
    }

    [Fact]
    public async Task Unknown_uuid_is_not_found_for_every_method()
    {
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Post, HttpMethod.Head })
        {
            using var response = await _http.SendAsync(new HttpRequestMessage(method, "/ping/5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278"));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        }
    }

    [Fact]
    public async Task Head_and_post_count_as_pings()
    {
        var (id, url) = await CreateCheckAsync("methods");

        using var head = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        await AssertAnswerAsync(await _http.PostAsync(url, new StringContent("")), HttpStatusCode.OK, "OK");

        Assert.Equal(2, (await WaitForCheckAsync(id, c => c.GetProperty("pings").GetInt32() == 2)).GetProperty("pings").GetInt32());
    }

    [Fact]
    public async Task Read_keys_do_not_see_ping_urls_slugs_are_unique_and_the_rules_api_leaves_checks_alone()
    {
        var (id, _) = await CreateCheckAsync("Unique Slug");

        var asAdmin = await _client.GetJsonAsync(StandaloneFactory.AdminKey, $"/v1/checks/{id}");
        Assert.StartsWith("/ping/", asAdmin.GetProperty("pingUrl").GetString(), StringComparison.Ordinal);
        using var readKey = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/keys", """{"name":"viewer","scopes":["read"]}""");
        var reader = JsonDocument.Parse(await readKey.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;
        Assert.False((await _client.GetJsonAsync(reader, $"/v1/checks/{id}")).TryGetProperty("pingUrl", out _));

        using var asRule = await _client.PutAsync(StandaloneFactory.AdminKey, $"/v1/rules/{id}", """{"name":"x","kind":"heartbeat","heartbeat":{"periodSeconds":60}}""");
        await ProblemAssert.IsProblemAsync(asRule, HttpStatusCode.Conflict, "/v1/checks/");

        using var twin = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/checks", """{"name":"Unique Slug"}""");
        await ProblemAssert.NamesFieldAsync(twin, "slug");
        using var both = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/checks", """{"name":"both","periodSeconds":60,"cron":"* * * * *"}""");
        await ProblemAssert.NamesFieldAsync(both, "periodSeconds");
    }

    [Fact]
    public async Task Badges_show_a_checks_status_or_the_worst_of_a_tag_to_a_badge_key_only()
    {
        using var created = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/checks", """{"name":"Badge Nightly","tags":["badge-prod"]}""");
        var url = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("pingUrl").GetString()!;
        using var other = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/checks", """{"name":"Badge Hourly","tags":["badge-prod"]}""");
        using var keyResponse = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/keys", """{"name":"readme","scopes":["badge"]}""");
        var badgeKey = JsonDocument.Parse(await keyResponse.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;

        Assert.Contains(">up</text>", await BadgeAsync($"/badge/{badgeKey}/badge-prod.svg"), StringComparison.Ordinal);
        await AssertAnswerAsync(await _http.GetAsync(url + "/fail"), HttpStatusCode.OK, "OK");
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        await WaitForCheckAsync(id, c => c.GetProperty("status").GetString() == "down");

        Assert.Contains("aria-label=\"badge-nightly: down\"", await BadgeAsync($"/badge/{badgeKey}/badge-nightly.svg"), StringComparison.Ordinal);
        Assert.Contains("aria-label=\"badge-prod: down\"", await BadgeAsync($"/badge/{badgeKey}/badge-prod.svg"), StringComparison.Ordinal);
        Assert.Contains("aria-label=\"badge-hourly: up\"", await BadgeAsync($"/badge/{badgeKey}/badge-hourly.svg"), StringComparison.Ordinal);
        foreach (var missing in new[] { $"/badge/{badgeKey}/nothing.svg", $"/badge/{StandaloneFactory.AdminKey}/badge-prod.svg", $"/badge/{badgeKey}/badge-prod.png" })
        {
            using var response = await _http.GetAsync(missing);
            await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "badge");
        }

        using var mixed = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/keys", """{"name":"x","scopes":["badge","read"]}""");
        await ProblemAssert.NamesFieldAsync(mixed, "scopes");
    }

    private async Task<string> BadgeAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/svg+xml; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return await response.Content.ReadAsStringAsync();
    }

    private async Task<(string Id, string PingUrl)> CreateCheckAsync(string name)
    {
        using var created = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/checks", JsonSerializer.Serialize(new { name, periodSeconds = 3600, graceSeconds = 600 }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var check = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("new", check.GetProperty("status").GetString());
        return (check.GetProperty("id").GetString()!, check.GetProperty("pingUrl").GetString()!);
    }

    private Task<JsonElement> WaitForCheckAsync(string id, Func<JsonElement, bool> done) =>
        _client.WaitForJsonAsync(StandaloneFactory.AdminKey, $"/v1/checks/{id}", done, Wait);

    private async Task<List<JsonElement>> RunsAsync(string id) =>
        [.. (await _client.GetJsonAsync(StandaloneFactory.AdminKey, $"/v1/checks/{id}/runs")).GetProperty("runs").EnumerateArray()];

    /// <summary>Healthchecks' answer: the status, the text as text/plain, and its two headers.</summary>
    private static async Task AssertAnswerAsync(HttpResponseMessage response, HttpStatusCode status, string body)
    {
        using (response)
        {
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());
            Assert.Equal(body, await response.Content.ReadAsStringAsync());
            Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
            Assert.Equal("100000", response.Headers.GetValues("Ping-Body-Limit").Single());
        }
    }
}
