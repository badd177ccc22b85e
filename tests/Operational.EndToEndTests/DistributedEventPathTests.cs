using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Operational.Contracts.Topology;
using Operational.TestSupport;

namespace Operational.EndToEndTests;

/// <summary>An event goes into the gateway process, crosses RabbitMQ, is stored by the storage process and comes back out.</summary>
public sealed class DistributedEventPathTests(DistributedDeployment deployment) : IClassFixture<DistributedDeployment>
{
    private static readonly TimeSpan ReadBack = TimeSpan.FromSeconds(10);

    private OperationalClient Client => deployment.Client;

    [Fact]
    public async Task Event_sent_to_the_gateway_is_read_back_through_it()
    {
        var id = await Client.IngestAsync(DistributedDeployment.IngestKey, """{"name":"user signed up","avatar":"🎉","category":"signups","content":{"plan":"pro"}}""");

        var stored = await Client.WaitForEventAsync(DistributedDeployment.AdminKey, id, ReadBack);
        Assert.Equal("user signed up", stored.GetProperty("name").GetString());
        Assert.Equal("🎉", stored.GetProperty("avatar").GetString());
        Assert.Equal("signups", stored.GetProperty("category").GetString());
        Assert.Equal("pro", stored.GetProperty("content").GetProperty("plan").GetString());

        var page = await Client.GetJsonAsync(DistributedDeployment.AdminKey, "/v1/events?limit=50");
        Assert.Contains(page.GetProperty("events").EnumerateArray(), e => e.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task Live_feed_streams_through_the_gateway_from_the_storage_process()
    {
        await using var stream = await ServerSentEventReader.OpenAsync(Client.Http, DistributedDeployment.AdminKey, "/v1/events/stream");
        Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);

        var id = await Client.IngestAsync(DistributedDeployment.IngestKey, """{"name":"streamed across processes"}""");

        var message = await stream.NextAsync(ReadBack);
        Assert.Equal(id, message.Json.GetProperty("id").GetString());
        Assert.NotNull(message.Id);
    }

    [Fact]
    public async Task Gateway_describes_its_own_and_the_forwarded_services_endpoints()
    {
        using var response = await Client.Http.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paths = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("paths")
            .EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Contains("/v1/events/batch", paths);  // the gateway's
        Assert.Contains("/v1/events/stream", paths); // the storage service's
        Assert.Contains("/v1/retention", paths);
    }

    [Fact]
    public async Task Refused_requests_never_reach_the_bus()
    {
        // Nothing consumes the probe queue, so its depth counts every batch the gateway published.
        var before = await ProbeQueueDepthAsync();

        using (var noKey = await Client.Http.PostAsync("/v1/events", new StringContent("""{"name":"x"}""", System.Text.Encoding.UTF8, "application/json")))
        {
            await AssertProblemAsync(noKey, HttpStatusCode.Unauthorized);
        }

        using (var unknownKey = await Client.PostEventAsync("op_ingest_unknownunknownunknownunknown00", """{"name":"x"}"""))
        {
            await AssertProblemAsync(unknownKey, HttpStatusCode.Unauthorized);
        }

        using (var malformed = await Client.PostEventAsync(DistributedDeployment.IngestKey, """{"name": "x",, }"""))
        {
            await AssertProblemAsync(malformed, HttpStatusCode.BadRequest);
        }

        using (var readWithIngestKey = await Client.GetAsync(DistributedDeployment.IngestKey, "/v1/events"))
        {
            await AssertProblemAsync(readWithIngestKey, HttpStatusCode.Forbidden);
        }

        // One accepted event afterwards proves the queue is counted and the refusals left no trace.
        await Client.IngestAsync(DistributedDeployment.IngestKey, """{"name":"accepted"}""");
        Assert.Equal(before + 1, await ProbeQueueDepthAsync());
    }

    [Fact]
    public async Task Storage_refuses_requests_that_did_not_come_through_the_gateway()
    {
        using var direct = new HttpClient { BaseAddress = deployment.Storage.Address };

        using (var withApiKey = new HttpRequestMessage(HttpMethod.Get, "/v1/events"))
        {
            withApiKey.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DistributedDeployment.AdminKey);
            using var response = await direct.SendAsync(withApiKey);
            await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        }

        using (var forged = new HttpRequestMessage(HttpMethod.Get, "/v1/events"))
        {
            // Well-formed but signed with a secret the storage service does not share.
            var caller = new Operational.ServiceDefaults.Identity.CallerIdentity("default", "forged", ["read"]);
            forged.Headers.Add("X-Operational-Identity",
                Operational.ServiceDefaults.Identity.GatewayIdentityToken.Create(caller, "not-the-internal-secret-0123456789abcdef", DateTimeOffset.UtcNow.AddMinutes(1)));
            using var response = await direct.SendAsync(forged);
            await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        }
    }

    [Fact]
    public async Task Identity_header_sent_by_a_client_is_not_passed_on_by_the_gateway()
    {
        // A client must not choose its project: the gateway replaces whatever it sent.
        var caller = new Operational.ServiceDefaults.Identity.CallerIdentity("someone-else", "forged", ["read", "admin"]);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/events");
        request.Headers.Add("X-Operational-Identity",
            Operational.ServiceDefaults.Identity.GatewayIdentityToken.Create(caller, DistributedDeployment.InternalSecret, DateTimeOffset.UtcNow.AddMinutes(1)));
        using var response = await Client.Http.SendAsync(request);
        await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    private async Task<int> ProbeQueueDepthAsync() =>
        (await deployment.Broker.QueueDepthsAsync(deployment.VirtualHost)).GetValueOrDefault(DistributedDeployment.ProbeQueue);

    private static Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected) => ProblemAssert.IsProblemAsync(response, expected);
}
