using System.Net;
using System.Text.Json;
using Operational.TestSupport;

namespace Operational.ApiTests;

/// <summary>The full event model, the batch endpoint and the filters, through HTTP on the standalone host.</summary>
public sealed class EventModelApiTests(StandaloneFactory factory) : IClassFixture<StandaloneFactory>
{
    private readonly OperationalClient _client = factory.CreateOperationalClient();

    [Fact]
    public async Task A_rich_event_reads_back_with_every_field()
    {
        var id = await _client.IngestAsync(StandaloneFactory.IngestKey, """
            {"name":"payment received","avatar":"💸","category":"billing","type":"rows",
             "content":[{"label":"Amount","content":"€49"}],"contextId":"checkout-1","contextStart":true,
             "actions":[{"key":"refund","buttonText":"Refund","url":"https://shop.example/refund/1"}],
             "notify":true,"userId":"u-1","tags":{"plan":"pro","seats":3},"level":"success"}
            """);

        var e = await _client.WaitForEventAsync(StandaloneFactory.AdminKey, id, TimeSpan.FromSeconds(5));

        Assert.Equal("rows", e.GetProperty("type").GetString());
        Assert.Equal("€49", e.GetProperty("content")[0].GetProperty("content").GetString());
        Assert.Equal("checkout-1", e.GetProperty("contextId").GetString());
        Assert.Equal("Refund", e.GetProperty("actions")[0].GetProperty("buttonText").GetString());
        Assert.Equal(3, e.GetProperty("tags").GetProperty("seats").GetInt32());
        Assert.Equal("success", e.GetProperty("level").GetString());
        Assert.True(e.GetProperty("notify").GetBoolean());
        Assert.False(e.GetProperty("backfilled").GetBoolean());
    }

    [Fact]
    public async Task Batch_answers_each_item_and_publishes_only_the_valid_ones()
    {
        var before = factory.Sink.Batches.SelectMany(b => b.Events).Count();

        using var response = await _client.PostAsync(StandaloneFactory.IngestKey, "/v1/events/batch", """
            {"events":[{"name":"first"},{"name":""},{"name":"third","level":"loud"},{"id":"batch-item-4","name":"fourth"}]}
            """);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var result = JsonDocument.Parse(body).RootElement;
        Assert.Equal((2, 2, 0), (result.GetProperty("accepted").GetInt32(), result.GetProperty("invalid").GetInt32(), result.GetProperty("unavailable").GetInt32()));
        var items = result.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["accepted", "invalid", "invalid", "accepted"], items.Select(i => i.GetProperty("status").GetString()));
        Assert.True(items[1].GetProperty("errors").TryGetProperty("name", out _));
        Assert.True(items[2].GetProperty("errors").TryGetProperty("level", out _));
        Assert.Equal("batch-item-4", items[3].GetProperty("id").GetString());
        Assert.Equal(before + 2, factory.Sink.Batches.SelectMany(b => b.Events).Count());
        await _client.WaitForEventAsync(StandaloneFactory.AdminKey, "batch-item-4", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task The_same_id_sent_twice_is_published_once_and_the_second_answer_says_duplicate()
    {
        using var first = await _client.PostEventAsync(StandaloneFactory.IngestKey, """{"id":"invoice-2026-001","name":"invoice sent"}""");
        using var second = await _client.PostEventAsync(StandaloneFactory.IngestKey, """{"id":"invoice-2026-001","name":"invoice sent again"}""");
        using var batch = await _client.PostAsync(StandaloneFactory.IngestKey, "/v1/events/batch",
            """{"events":[{"id":"invoice-2026-001","name":"a"},{"id":"invoice-2026-002","name":"b"},{"id":"invoice-2026-002","name":"c"}]}""");

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var again = JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("invoice-2026-001", again.GetProperty("id").GetString());
        Assert.True(again.GetProperty("duplicate").GetBoolean());
        Assert.False(JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.TryGetProperty("duplicate", out _));

        var items = JsonDocument.Parse(await batch.Content.ReadAsStringAsync()).RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["duplicate", "accepted", "duplicate"], items.Select(i => i.GetProperty("status").GetString()));

        var published = factory.Sink.Batches.SelectMany(b => b.Events).Where(e => e.Id.StartsWith("invoice-2026-", StringComparison.Ordinal)).Select(e => e.Name);
        Assert.Equal(["invoice sent", "b"], published);
        var stored = await _client.WaitForEventAsync(StandaloneFactory.AdminKey, "invoice-2026-001", TimeSpan.FromSeconds(5));
        Assert.Equal("invoice sent", stored.GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("""{"events":[]}""", "events")]
    [InlineData("""{"items":[{"name":"x"}]}""", "events")]
    [InlineData("""[{"name":"x"}]""", "events")]
    [InlineData("""{"events":[{"name":"x"}],"extra":1}""", "extra")]
    public async Task Malformed_batch_is_400_and_publishes_nothing(string json, string field)
    {
        var before = factory.Sink.Batches.Count;

        using var response = await _client.PostAsync(StandaloneFactory.IngestKey, "/v1/events/batch", json);

        await ProblemAssert.NamesFieldAsync(response, field);
        Assert.Equal(before, factory.Sink.Batches.Count);
    }

    [Fact]
    public async Task Batch_of_more_than_1000_events_is_400()
    {
        var json = "{\"events\":[" + string.Join(',', Enumerable.Repeat("""{"name":"x"}""", 1001)) + "]}";

        using var response = await _client.PostAsync(StandaloneFactory.IngestKey, "/v1/events/batch", json);

        var problem = await ProblemAssert.NamesFieldAsync(response, "events");
        Assert.Contains("1001", problem.GetProperty("errors").GetProperty("events")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Filters_search_and_categories_work_through_the_api()
    {
        await using var isolated = new StandaloneFactory();
        var client = isolated.CreateOperationalClient();
        using var batch = await client.PostAsync(StandaloneFactory.IngestKey, "/v1/events/batch", """
            {"events":[
              {"id":"f1","name":"Deploy finished","category":"ci","content":"version 2.4 is live","tags":{"env":"prod"}},
              {"id":"f2","name":"Deploy failed","category":"ci","level":"error","tags":{"env":"staging"}},
              {"id":"f3","name":"User signed up","category":"signups","userId":"u-9"},
              {"id":"f4","name":"Test signup","category":"signups","test":true}
            ]}
            """);
        Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        await client.WaitForEventAsync(StandaloneFactory.AdminKey, "f4", TimeSpan.FromSeconds(5));

        Assert.Equal(["f2", "f1"], await Ids(client, "category=ci"));
        Assert.Equal(["f2"], await Ids(client, "level=error"));
        Assert.Equal(["f1"], await Ids(client, "tag=env:prod"));
        Assert.Equal(["f3"], await Ids(client, "userId=u-9"));
        Assert.Equal(["f1"], await Ids(client, "q=live%20version"));
        Assert.Equal(["f4"], await Ids(client, "test=true"));

        var categories = await client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/categories");
        Assert.Equal([("ci", 2), ("signups", 1)], categories.GetProperty("categories").EnumerateArray()
            .Select(c => (c.GetProperty("name").GetString()!, c.GetProperty("count").GetInt32())).OrderBy(c => c.Item1));
    }

    [Theory]
    [InlineData("level=fatal", "level")]
    [InlineData("tag=novalue", "tag")]
    [InlineData("from=yesterday", "from")]
    [InlineData("q=%20%2B%2B%20", "q")]
    [InlineData("test=maybe", "test")]
    public async Task Bad_filters_are_400_naming_them(string query, string field)
    {
        using var response = await _client.GetAsync(StandaloneFactory.AdminKey, "/v1/events?" + query);

        await ProblemAssert.NamesFieldAsync(response, field);
    }

    private static async Task<List<string>> Ids(OperationalClient client, string query) =>
        (await client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/events?" + query)).GetProperty("events")
            .EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToList();
}
