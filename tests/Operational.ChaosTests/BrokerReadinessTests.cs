using System.Net;
using Xunit;

namespace Operational.ChaosTests;

/// <summary>
/// Readiness follows the broker both ways with no traffic at all: a load balancer that routes on
/// <c>/health/ready</c> takes every process out while RabbitMQ is away and back when it returns.
/// </summary>
public sealed class BrokerReadinessTests
{
    [Fact]
    public async Task Every_process_is_unready_while_the_broker_is_away_and_ready_again_when_it_returns_without_traffic()
    {
        await using var deployment = await ChaosDeployment.StartAsync();
        string[] processes = ["gateway", .. ChaosDeployment.Services];
        await AllAsync(deployment, processes, HttpStatusCode.OK, TimeSpan.FromSeconds(30));

        await deployment.Broker.StopAppAsync();
        await AllAsync(deployment, processes, HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30));

        await deployment.Broker.StartAppAsync();
        await AllAsync(deployment, processes, HttpStatusCode.OK, TimeSpan.FromSeconds(60));
    }

    private static async Task AllAsync(ChaosDeployment deployment, string[] processes, HttpStatusCode expected, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        var states = new Dictionary<string, string>();
        while (true)
        {
            foreach (var name in processes)
            {
                using var ready = await http.GetAsync(new Uri(deployment[name].Address, "/health/ready"));
                states[name] = $"{(int)ready.StatusCode} {await ready.Content.ReadAsStringAsync()}";
            }

            if (states.Values.All(s => s.StartsWith(((int)expected).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)))
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline,
                $"not all {(int)expected} within {timeout}:\n{string.Join("\n", states.Select(s => $"{s.Key}: {s.Value}"))}");
            await Task.Delay(250);
        }
    }
}
