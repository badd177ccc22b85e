using System.Net;
using Operational.TestSupport;

namespace Operational.ApiTests;

/// <summary><c>GET /v1/events/stream</c> on the standalone host: live delivery, project scoping, resume without gaps.</summary>
public sealed class LiveFeedApiTests : OwnStandaloneHostTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    [Fact]
    public async Task Stored_events_arrive_in_order_and_a_reconnect_resumes_after_the_last_one()
    {
        string lastId;
        await using (var stream = await ServerSentEventReader.OpenAsync(Client.Http, StandaloneFactory.AdminKey, "/v1/events/stream"))
        {
            Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);
            var sent = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                sent.Add(await Client.IngestAsync(StandaloneFactory.IngestKey, $$"""{"name":"live {{i}}"}"""));
            }

            var received = new List<ServerSentEvent>();
            for (var i = 0; i < 3; i++)
            {
                received.Add(await stream.NextAsync(Wait));
            }

            Assert.Equal(sent, received.Select(m => m.Json.GetProperty("id").GetString()));
            Assert.All(received, m => Assert.Equal("event", m.Type));
            Assert.Equal(received.Select(m => long.Parse(m.Id!, System.Globalization.CultureInfo.InvariantCulture)).Order(), received.Select(m => long.Parse(m.Id!, System.Globalization.CultureInfo.InvariantCulture)));
            lastId = received[^1].Id!;
        }

        // While nobody listens, two more events are stored.
        var missed = new[]
        {
            await Client.IngestAsync(StandaloneFactory.IngestKey, """{"name":"while away 1"}"""),
            await Client.IngestAsync(StandaloneFactory.IngestKey, """{"name":"while away 2"}"""),
        };
        await Client.WaitForEventAsync(StandaloneFactory.AdminKey, missed[1], Wait);

        await using var resumed = await ServerSentEventReader.OpenAsync(Client.Http, StandaloneFactory.AdminKey, "/v1/events/stream", lastId);
        Assert.Equal(missed[0], (await resumed.NextAsync(Wait)).Json.GetProperty("id").GetString());
        Assert.Equal(missed[1], (await resumed.NextAsync(Wait)).Json.GetProperty("id").GetString());
        var next = await Client.IngestAsync(StandaloneFactory.IngestKey, """{"name":"after resume"}""");
        Assert.Equal(next, (await resumed.NextAsync(Wait)).Json.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Stream_carries_only_the_projects_live_events_unless_test_is_asked_for()
    {
        using var create = await Client.Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/projects")
        {
            Headers = { Authorization = new("Bearer", StandaloneFactory.AdminKey) },
            Content = System.Net.Http.Json.JsonContent.Create(new { name = "Other" }),
        });
        var otherIngest = System.Text.Json.JsonDocument.Parse(await create.Content.ReadAsStringAsync()).RootElement.GetProperty("ingestKey").GetProperty("key").GetString()!;

        await using var live = await ServerSentEventReader.OpenAsync(Client.Http, StandaloneFactory.AdminKey, "/v1/events/stream");
        await using var test = await ServerSentEventReader.OpenAsync(Client.Http, StandaloneFactory.AdminKey, "/v1/events/stream?test=true");
        await Client.IngestAsync(otherIngest, """{"name":"other project"}""");
        var testId = await Client.IngestAsync(StandaloneFactory.IngestKey, """{"name":"a test","test":true}""");
        var liveId = await Client.IngestAsync(StandaloneFactory.IngestKey, """{"name":"a live one"}""");

        Assert.Equal(liveId, (await live.NextAsync(Wait)).Json.GetProperty("id").GetString());
        Assert.Equal(testId, (await test.NextAsync(Wait)).Json.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Bad_resume_id_and_missing_scope_are_problems()
    {
        await using var badId = await ServerSentEventReader.OpenAsync(Client.Http, StandaloneFactory.AdminKey, "/v1/events/stream", "not-a-number");
        await using var ingestOnly = await ServerSentEventReader.OpenAsync(Client.Http, StandaloneFactory.IngestKey, "/v1/events/stream");

        await ProblemAssert.NamesFieldAsync(badId.Response, "Last-Event-ID");
        await ProblemAssert.IsProblemAsync(ingestOnly.Response, HttpStatusCode.Forbidden);
    }
}
