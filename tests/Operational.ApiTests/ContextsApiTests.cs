using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Operational.TestSupport;

namespace Operational.ApiTests;

public sealed class ContextsApiTests(StandaloneFactory factory) : IClassFixture<StandaloneFactory>
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);

    private readonly OperationalClient _client = factory.CreateOperationalClient();

    [Fact]
    public async Task Cron_run_shows_as_one_completed_context_with_its_events_in_order()
    {
        var run = new CronRunExample(DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddMinutes(-2).ToUnixTimeMilliseconds()));
        foreach (var e in run.Events)
        {
            await _client.IngestAsync(StandaloneFactory.IngestKey, e);
        }

        var detail = await _client.WaitForContextAsync(StandaloneFactory.AdminKey, run.ContextId, CronRunExample.IsComplete, Settle);

        run.AssertShown(detail);
        var listed = await _client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/contexts?status=completed&category=cron&q=CRON%20JOB");
        Assert.Contains(listed.GetProperty("contexts").EnumerateArray(), c => c.GetProperty("contextId").GetString() == run.ContextId);
    }

    [Fact]
    public async Task A_batch_without_ids_or_timestamps_keeps_its_order_in_the_context()
    {
        // One receive time for the whole batch: only the ids the gateway makes can keep the order.
        var contextId = "batch-" + Guid.NewGuid().ToString("N");
        var steps = Enumerable.Range(1, 40).Select(i => $$"""{"name":"step {{i}}","contextId":"{{contextId}}"}""");
        var body = $$"""{"events":[{"name":"run started","contextId":"{{contextId}}","contextStart":true},{{string.Join(",", steps)}},{"name":"run completed","contextId":"{{contextId}}","contextEnd":true}]}""";

        using var response = await _client.PostAsync(StandaloneFactory.IngestKey, "/v1/events/batch", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var detail = await _client.WaitForContextAsync(StandaloneFactory.AdminKey, contextId,
            d => d.GetProperty("context").GetProperty("eventCount").GetInt64() == 42, Settle);

        var names = detail.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToList();
        Assert.Equal(["run started", .. Enumerable.Range(1, 40).Select(i => $"step {i}"), "run completed"], names);
        Assert.Equal("completed", detail.GetProperty("context").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Children_before_their_start_wait_for_it_instead_of_being_lost()
    {
        var contextId = "signup-" + Guid.NewGuid().ToString("N");
        await _client.IngestAsync(StandaloneFactory.IngestKey, $$"""{"name":"email verified","contextId":"{{contextId}}"}""");

        var before = await _client.WaitForContextAsync(StandaloneFactory.AdminKey, contextId, d => d.GetProperty("context").GetProperty("eventCount").GetInt64() == 1, Settle);
        Assert.Equal("email verified", before.GetProperty("context").GetProperty("title").GetString());
        Assert.Equal("open", before.GetProperty("context").GetProperty("status").GetString());

        await _client.IngestAsync(StandaloneFactory.IngestKey, $$"""{"name":"signup started","avatar":"👋","contextId":"{{contextId}}","contextStart":true}""");
        var after = await _client.WaitForContextAsync(StandaloneFactory.AdminKey, contextId, d => d.GetProperty("context").GetProperty("eventCount").GetInt64() == 2, Settle);
        Assert.Equal("signup started", after.GetProperty("context").GetProperty("title").GetString());
    }

    [Fact]
    public async Task Error_event_fails_the_context()
    {
        var contextId = "import-" + Guid.NewGuid().ToString("N");
        await _client.IngestAsync(StandaloneFactory.IngestKey, $$"""{"name":"import started","contextId":"{{contextId}}","contextStart":true}""");
        await _client.IngestAsync(StandaloneFactory.IngestKey, $$"""{"name":"import crashed","level":"error","contextId":"{{contextId}}"}""");

        var detail = await _client.WaitForContextAsync(StandaloneFactory.AdminKey, contextId, d => d.GetProperty("context").GetProperty("eventCount").GetInt64() == 2, Settle);

        Assert.Equal("failed", detail.GetProperty("context").GetProperty("status").GetString());
        Assert.Equal(1, detail.GetProperty("context").GetProperty("levels").GetProperty("error").GetInt64());
    }

    [Fact]
    public async Task Pages_follow_the_cursor_without_repeats()
    {
        var category = "paging-" + Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 5; i++)
        {
            await _client.IngestAsync(StandaloneFactory.IngestKey, $$"""{"name":"run {{i}}","category":"{{category}}","contextId":"{{category}}-{{i}}","contextStart":true}""");
        }

        await _client.WaitForContextAsync(StandaloneFactory.AdminKey, $"{category}-4", _ => true, Settle);
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await _client.GetJsonAsync(StandaloneFactory.AdminKey, $"/v1/contexts?category={category}&limit=2" + (cursor is null ? "" : "&cursor=" + cursor));
            seen.AddRange(page.GetProperty("contexts").EnumerateArray().Select(c => c.GetProperty("contextId").GetString()!));
            cursor = page.TryGetProperty("nextCursor", out var next) ? next.GetString() : null;
        }
        while (cursor is not null);

        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"{category}-{i}").Reverse(), seen);
    }

    [Theory]
    [InlineData("/v1/contexts?status=done", "status")]
    [InlineData("/v1/contexts?limit=0", "limit")]
    [InlineData("/v1/contexts?limit=201", "limit")]
    [InlineData("/v1/contexts?cursor=not-a-cursor", "cursor")]
    [InlineData("/v1/contexts?from=yesterday", "from")]
    [InlineData("/v1/contexts?test=maybe", "test")]
    public async Task Invalid_list_parameters_are_400s_naming_the_parameter(string path, string field)
    {
        using var response = await _client.GetAsync(StandaloneFactory.AdminKey, path);

        await ProblemAssert.NamesFieldAsync(response, field);
    }

    [Fact]
    public async Task Unknown_context_is_a_404_problem()
    {
        using var response = await _client.GetAsync(StandaloneFactory.AdminKey, "/v1/contexts/never-seen");

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "never-seen");
    }

    [Fact]
    public async Task Contexts_need_a_read_key_and_settings_an_admin_key()
    {
        using var ingestKey = await _client.GetAsync(StandaloneFactory.IngestKey, "/v1/contexts");
        await ProblemAssert.IsProblemAsync(ingestKey, HttpStatusCode.Forbidden);

        using var noAdmin = await _client.PutAsync(StandaloneFactory.IngestKey, "/v1/context-settings", """{"defaultTimeoutSeconds":60}""");
        await ProblemAssert.IsProblemAsync(noAdmin, HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"defaultTimeoutSeconds":0}""")]
    [InlineData("""{"defaultTimeoutSeconds":2592001}""")]
    public async Task Impossible_default_timeout_is_a_400_naming_the_field(string body)
    {
        using var response = await _client.PutAsync(StandaloneFactory.AdminKey, "/v1/context-settings", body);

        await ProblemAssert.NamesFieldAsync(response, "defaultTimeoutSeconds");
    }
}

/// <summary>Stalls depend on the clock: these run on a fake one, moved by the test, never by waiting.</summary>
public sealed class ContextStallApiTests() : OwnStandaloneHostTests(new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 1, 0, 0, TimeSpan.Zero)))
{
    private FakeTimeProvider Time => (FakeTimeProvider)Factory.Clock!;

    [Fact]
    public async Task Silent_open_context_becomes_stalled_after_its_timeout()
    {
        await Client.IngestAsync(StandaloneFactory.IngestKey, """{"name":"backup started","contextId":"backup-1","contextStart":true,"contextTimeout":600}""");
        await Client.IngestAsync(StandaloneFactory.IngestKey, """{"name":"report started","contextId":"report-1","contextStart":true}""");
        var backup = await Client.WaitForContextAsync(StandaloneFactory.AdminKey, "backup-1", _ => true, TimeSpan.FromSeconds(10));
        await Client.WaitForContextAsync(StandaloneFactory.AdminKey, "report-1", _ => true, TimeSpan.FromSeconds(10));
        Assert.Equal("open", Status(backup));
        Assert.Equal(Time.GetUtcNow().AddSeconds(600), backup.GetProperty("context").GetProperty("stallsAt").GetDateTimeOffset());

        Time.Advance(TimeSpan.FromSeconds(599));
        Assert.Equal("open", Status(await Client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/contexts/backup-1")));

        Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("stalled", Status(await Client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/contexts/backup-1")));
        var stalled = await Client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/contexts?status=stalled");
        Assert.Equal(["backup-1"], stalled.GetProperty("contexts").EnumerateArray().Select(c => c.GetProperty("contextId").GetString()));

        // The other uses the project's default (1 hour unless set): lowering it stalls it too.
        using var set = await Client.PutAsync(StandaloneFactory.AdminKey, "/v1/context-settings", """{"defaultTimeoutSeconds":300}""");
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal("stalled", Status(await Client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/contexts/report-1")));
        var settings = await Client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/context-settings");
        Assert.Equal(300, settings.GetProperty("defaultTimeoutSeconds").GetInt32());
        Assert.True(settings.GetProperty("projectSpecific").GetBoolean());
    }

    private static string? Status(JsonElement detail) => detail.GetProperty("context").GetProperty("status").GetString();
}
