using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Operational.Storage.Retention;
using Operational.TestSupport;

namespace Operational.ApiTests;

/// <summary>Per-project retention through the API, and the background deletion it drives.</summary>
public sealed class RetentionApiTests : OwnStandaloneHostTests
{
    [Fact]
    public async Task Project_sets_its_retention_and_expired_events_go()
    {
        var defaults = await Client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/retention");
        Assert.Equal((365, 7, false), (defaults.GetProperty("liveDays").GetInt32(), defaults.GetProperty("testDays").GetInt32(), defaults.GetProperty("projectSpecific").GetBoolean()));

        using (var put = await PutAsync(StandaloneFactory.AdminKey, new { liveDays = 30, testDays = 2 }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var now = DateTimeOffset.UtcNow;
        var old = await Client.IngestAsync(StandaloneFactory.IngestKey, $$"""{"name":"imported long ago","timestamp":"{{now.AddDays(-40):O}}"}""");
        var recent = await Client.IngestAsync(StandaloneFactory.IngestKey, $$"""{"name":"imported lately","timestamp":"{{now.AddDays(-20):O}}"}""");
        await Client.WaitForEventAsync(StandaloneFactory.AdminKey, recent, TimeSpan.FromSeconds(5));
        await Client.WaitForEventAsync(StandaloneFactory.AdminKey, old, TimeSpan.FromSeconds(5));

        var deleted = await Factory.Services.GetRequiredService<RetentionWorker>().RunOnceAsync(CancellationToken.None);

        Assert.Equal(1, deleted);
        using var gone = await Client.GetAsync(StandaloneFactory.AdminKey, $"/v1/events/{old}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        await Client.GetJsonAsync(StandaloneFactory.AdminKey, $"/v1/events/{recent}");
    }

    [Theory]
    [InlineData("""{"liveDays":0,"testDays":7}""", "liveDays")]
    [InlineData("""{"liveDays":30}""", "testDays")]
    [InlineData("""{"liveDays":30,"testDays":99999}""", "testDays")]
    public async Task Bad_retention_is_400_naming_the_field(string json, string field)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "/v1/retention") { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", StandaloneFactory.AdminKey);

        using var response = await Client.Http.SendAsync(request);

        await ProblemAssert.NamesFieldAsync(response, field);
    }

    [Fact]
    public async Task Only_admin_keys_change_retention()
    {
        using var response = await PutAsync(StandaloneFactory.IngestKey, new { liveDays = 1, testDays = 1 });

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "scope 'admin'");
        Assert.False((await Client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/retention")).GetProperty("projectSpecific").GetBoolean());
    }

    private Task<HttpResponseMessage> PutAsync(string key, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, "/v1/retention") { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new("Bearer", key);
        return Client.Http.SendAsync(request);
    }
}
