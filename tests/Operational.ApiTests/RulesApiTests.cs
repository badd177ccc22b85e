using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Operational.Rules.Checks;
using Operational.TestSupport;

namespace Operational.ApiTests;

public sealed class RulesApiTests(StandaloneFactory factory) : IClassFixture<StandaloneFactory>
{
    private readonly OperationalClient _client = factory.CreateOperationalClient();

    private RuleSchedules Schedules => factory.Services.GetRequiredService<RuleSchedules>();

    [Fact]
    public async Task Volume_rule_is_created_read_changed_and_deleted_with_its_schedule()
    {
        using var channel = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/channels", """{"name":"ops","kind":"ntfy","ntfy":{"topic":"ops"}}""");
        var channelId = JsonDocument.Parse(await channel.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        using var created = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/rules", $$"""
            {"name":"no leads","kind":"volume","match":{"name":{"equals":"lead created"} },
             "volume":{"min":1,"windowSeconds":3600,"groupBy":"campaignGroup","schedule":{"cron":"*/5 * * * *","timeZone":"Europe/Berlin"} },
             "channels":["{{channelId}}"],"repeatIntervalSeconds":1800}
            """);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var rule = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.Clone();
        var id = rule.GetProperty("id").GetString()!;
        Assert.Equal($"/v1/rules/{id}", created.Headers.Location?.ToString());
        Assert.Equal(("*/5 * * * *", "Europe/Berlin"), (Schedules.Job(id)?.Cron, Schedules.Job(id)?.TimeZoneId));

        var read = await _client.GetJsonAsync(StandaloneFactory.AdminKey, $"/v1/rules/{id}");
        Assert.Equal(rule.GetRawText(), read.GetRawText());
        var listed = await _client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/rules");
        Assert.Contains(listed.GetProperty("rules").EnumerateArray(), r => r.GetProperty("id").GetString() == id);

        using var changed = await _client.PutAsync(StandaloneFactory.AdminKey, $"/v1/rules/{id}",
            """{"name":"no leads","kind":"volume","volume":{"min":2,"windowSeconds":3600,"schedule":{"cron":"0 * * * *","timeZone":"America/New_York"}}}""");
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(("0 * * * *", "America/New_York"), (Schedules.Job(id)?.Cron, Schedules.Job(id)?.TimeZoneId));

        using var disabled = await _client.PutAsync(StandaloneFactory.AdminKey, $"/v1/rules/{id}",
            """{"name":"no leads","kind":"volume","enabled":false,"volume":{"min":2,"windowSeconds":3600}}""");
        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        Assert.Null(Schedules.Job(id));

        using var deleted = await Send(HttpMethod.Delete, $"/v1/rules/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await _client.GetAsync(StandaloneFactory.AdminKey, $"/v1/rules/{id}");
        await ProblemAssert.IsProblemAsync(gone, HttpStatusCode.NotFound, id);
    }

    [Theory]
    [InlineData("""{"name":"x","kind":"volume","volume":{"min":1,"windowSeconds":0}}""", "volume.windowSeconds")]
    [InlineData("""{"name":"x","kind":"volume","volume":{"min":1,"windowSeconds":60,"schedule":{"cron":"* * *"}}}""", "volume.schedule.cron")]
    [InlineData("""{"name":"x","kind":"volume","volume":{"min":1,"windowSeconds":60,"schedule":{"timeZone":"Nowhere/Special"}}}""", "volume.schedule.timeZone")]
    [InlineData("""{"name":"x","kind":"match","channels":["not a channel!"]}""", "channels")]
    [InlineData("""{}""", "kind")]
    public async Task Invalid_rule_is_a_400_naming_the_field(string body, string field)
    {
        using var response = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/rules", body);

        await ProblemAssert.NamesFieldAsync(response, field);
    }

    [Theory]
    [InlineData("""{"name":"x","kind":"match","chanels":["ch_1"]}""", "chanels", "is not a field of this request; the fields are name, kind, enabled, match, threshold, volume, heartbeat, channels, repeatIntervalSeconds, check")]
    [InlineData("""{"name":"x","kind":"match","match":{"nmae":{"equals":"a"}}}""", "match.nmae", "is not a field of match; the fields are")]
    [InlineData("""{"name":"x","kind":"volume","volume":{"min":1,"windowSeconds":60,"schedule":{"cron":"* * * * *","tz":"UTC"}}}""", "volume.schedule.tz", "is not a field of volume.schedule")]
    [InlineData("""{"name":"x","kind":"volume","volume":{"min":"one","windowSeconds":60}}""", "volume.min", "must be a whole number")]
    [InlineData("""{"name":"x","kind":"match","channels":"ch_1"}""", "channels", "must be an array")]
    [InlineData("""["x"]""", "body", "must be a JSON object")]
    public async Task Unknown_fields_and_wrong_types_are_named_instead_of_dropped(string body, string field, string message)
    {
        using var response = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/rules", body);

        var problem = await ProblemAssert.NamesFieldAsync(response, field);
        Assert.StartsWith(message, problem.GetProperty("errors").GetProperty(field)[0].GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain((await _client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/rules")).GetProperty("rules").EnumerateArray(),
            r => r.GetProperty("name").GetString() == "x");
    }

    [Fact]
    public async Task Malformed_body_is_a_400_problem()
    {
        using var response = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/rules", """{"name": "x",""");

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Rules_need_an_admin_key_to_change_and_a_read_key_to_see()
    {
        using var ingest = await _client.PostAsync(StandaloneFactory.IngestKey, "/v1/rules", """{"name":"x","kind":"match"}""");
        await ProblemAssert.IsProblemAsync(ingest, HttpStatusCode.Forbidden);

        using var list = await _client.GetAsync(StandaloneFactory.IngestKey, "/v1/alerts");
        await ProblemAssert.IsProblemAsync(list, HttpStatusCode.Forbidden);

        using var dashboard = await _client.GetAsync(StandaloneFactory.IngestKey, "/hangfire");
        await ProblemAssert.IsProblemAsync(dashboard, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Matching_event_shows_as_a_fired_alert()
    {
        var name = "payment failed " + Guid.NewGuid().ToString("N")[..6];
        using var created = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/rules", """{"name":"payments","kind":"match","match":{"name":{"equals":""" + JsonSerializer.Serialize(name) + "}}}");
        var ruleId = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();

        var eventId = await _client.IngestAsync(StandaloneFactory.IngestKey, $$"""{"name":"{{name}}","level":"error"}""");

        var alert = await WaitForAlertAsync(ruleId!, TimeSpan.FromSeconds(10));
        Assert.Equal("fired", alert.GetProperty("status").GetString());
        Assert.Equal(eventId, alert.GetProperty("evidence").GetProperty("lastEventId").GetString());
    }

    /// <summary>The contexts module announces the failure on the bus; the rules module fires the run's alert.</summary>
    [Fact]
    public async Task Failed_run_of_a_watched_context_fires_an_alert_through_the_contexts_announcement()
    {
        var name = "import started " + Guid.NewGuid().ToString("N")[..6];
        var contextId = "import-" + Guid.NewGuid().ToString("N")[..8];
        using var created = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/rules",
            """{"name":"import","kind":"heartbeat","heartbeat":{"periodSeconds":3600,"maxRunSeconds":900},"match":{"name":{"equals":""" + JsonSerializer.Serialize(name) + "}}}");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var ruleId = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();

        await _client.IngestAsync(StandaloneFactory.IngestKey, $$"""{"name":{{JsonSerializer.Serialize(name)}},"contextId":"{{contextId}}","contextStart":true}""");
        await _client.WaitForContextAsync(StandaloneFactory.AdminKey, contextId, _ => true, TimeSpan.FromSeconds(10));
        await _client.IngestAsync(StandaloneFactory.IngestKey, $$"""{"name":"import crashed","level":"error","contextId":"{{contextId}}"}""");

        var alert = await WaitForAlertAsync(ruleId!, TimeSpan.FromSeconds(20));
        Assert.Equal(("fired", contextId), (alert.GetProperty("status").GetString(), alert.GetProperty("group").GetString()));
    }

    private async Task<JsonElement> WaitForAlertAsync(string ruleId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var alerts = (await _client.GetJsonAsync(StandaloneFactory.AdminKey, $"/v1/alerts?ruleId={ruleId}")).GetProperty("alerts");
            if (alerts.GetArrayLength() > 0)
            {
                return alerts[0].Clone();
            }

            Assert.True(DateTime.UtcNow < deadline, $"no alert of rule {ruleId} within {timeout}");
            await Task.Delay(50);
        }
    }

    [Theory]
    [InlineData("/v1/alerts?status=burning", "status")]
    [InlineData("/v1/alerts?limit=0", "limit")]
    [InlineData("/v1/alerts?cursor=%%%", "cursor")]
    public async Task Invalid_alert_query_is_a_400_naming_the_parameter(string path, string field)
    {
        using var response = await _client.GetAsync(StandaloneFactory.AdminKey, path);

        await ProblemAssert.NamesFieldAsync(response, field);
    }

    [Fact]
    public async Task Silence_is_added_listed_and_ended()
    {
        using var created = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/silences",
            $$"""{"group":"campaign-A","endsAt":"{{DateTimeOffset.UtcNow.AddHours(2):O}}","comment":"campaign paused for the holidays"}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;

        var active = await _client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/silences");
        Assert.Contains(active.GetProperty("silences").EnumerateArray(), s => s.GetProperty("id").GetString() == id && s.GetProperty("active").GetBoolean());

        using var ended = await Send(HttpMethod.Delete, $"/v1/silences/{id}");
        Assert.Equal(HttpStatusCode.NoContent, ended.StatusCode);
        var after = await _client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/silences");
        Assert.DoesNotContain(after.GetProperty("silences").EnumerateArray(), s => s.GetProperty("id").GetString() == id);
        var all = await _client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/silences?all=true");
        Assert.Contains(all.GetProperty("silences").EnumerateArray(), s => s.GetProperty("id").GetString() == id && !s.GetProperty("active").GetBoolean());
    }

    [Theory]
    [InlineData("""{"endsAt":"2099-01-01T00:00:00Z","comment":"why"}""", "ruleId")]
    [InlineData("""{"ruleId":"r_unknown","endsAt":"2099-01-01T00:00:00Z","comment":"why"}""", "ruleId")]
    [InlineData("""{"group":"A","endsAt":"2001-01-01T00:00:00Z","comment":"why"}""", "endsAt")]
    [InlineData("""{"group":"A","endsAt":"2099-01-01T00:00:00Z"}""", "comment")]
    public async Task Invalid_silence_is_a_400_naming_the_field(string body, string field)
    {
        using var response = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/silences", body);

        await ProblemAssert.NamesFieldAsync(response, field);
    }

    private Task<HttpResponseMessage> Send(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", StandaloneFactory.AdminKey);
        return _client.Http.SendAsync(request);
    }
}
