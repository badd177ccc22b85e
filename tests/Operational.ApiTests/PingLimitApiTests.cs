using System.Net;
using Operational.TestSupport;

namespace Operational.ApiTests;

/// <summary>Pings and badges are limited per client address too: inventing UUIDs gets no further than the first few.</summary>
public sealed class PingLimitApiTests() : OwnStandaloneHostTests(settings: new Dictionary<string, string> { ["Pings:PerAddressPerMinute"] = "5" })
{
    [Fact]
    public async Task A_client_guessing_uuids_is_refused_with_429_after_its_share()
    {
        using var http = Factory.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            using var guess = await http.GetAsync($"/ping/{Guid.NewGuid()}");
            Assert.Equal(HttpStatusCode.NotFound, guess.StatusCode);
        }

        using var refused = await http.GetAsync($"/ping/{Guid.NewGuid()}");
        await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.TooManyRequests, "PerAddressPerMinute");
        Assert.NotNull(refused.Headers.RetryAfter);
        using var badge = await http.GetAsync("/badge/op_badge_guess/anything.svg");
        Assert.Equal(HttpStatusCode.TooManyRequests, badge.StatusCode);
    }

    [Fact]
    public async Task A_malformed_runs_limit_is_a_400_naming_it()
    {
        using var created = await Client.PostAsync(StandaloneFactory.AdminKey, "/v1/checks", """{"name":"limits"}""");
        var id = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();

        using var runs = await Client.GetAsync(StandaloneFactory.AdminKey, $"/v1/checks/{id}/runs?limit=abc");

        await ProblemAssert.NamesFieldAsync(runs, "limit");
    }
}
