using System.Globalization;
using System.Net;
using System.Text.Json;
using Operational.TestSupport;

namespace Operational.ApiTests;

/// <summary>
/// <c>GET /v1/metrics</c> over events sent through the API: statistics per bucket and per group
/// from the rollups the storage module folds, against the exact values of the same data.
/// </summary>
public sealed class MetricsApiTests(StandaloneFactory factory) : IClassFixture<StandaloneFactory>
{
    private const string Admin = StandaloneFactory.AdminKey;
    private readonly OperationalClient _client = factory.CreateOperationalClient();

    [Fact]
    public async Task Percentiles_per_customer_are_within_the_sketchs_accuracy_and_the_rest_is_other()
    {
        var name = "import finished " + Guid.NewGuid().ToString("N")[..6];
        var random = new Random(5);
        var values = new List<(string Customer, double Duration)>();
        for (var i = 0; i < 2000; i++)
        {
            var customer = $"c{i % 8}";
            var duration = Math.Round(Math.Exp(5 + (random.NextDouble() * 2)) * (customer == "c3" ? 4 : 1), 2);
            values.Add((customer, duration));
        }

        foreach (var chunk in values.Chunk(500))
        {
            var body = JsonSerializer.Serialize(new { events = chunk.Select(v => new { name, tags = new Dictionary<string, object> { ["durationMs"] = v.Duration, ["customer"] = v.Customer } }) });
            var answer = await _client.PostAsync(StandaloneFactory.IngestKey, "/v1/events/batch", body);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        var path = $"/v1/metrics?name={Uri.EscapeDataString(name)}&field=durationMs&groupBy=customer&fn=count,p50,p95,max&top=3&bucket=hour";
        var metrics = await _client.WaitForJsonAsync(Admin, path, m => m.GetProperty("all").GetProperty("count").GetInt64() == values.Count, TimeSpan.FromSeconds(15));

        AssertNear(Exact(values.Select(v => v.Duration), 0.95), metrics.GetProperty("all").GetProperty("total").GetProperty("p95").GetDouble());
        var groups = metrics.GetProperty("groups").EnumerateArray().ToList();
        Assert.Equal(3, groups.Count);
        foreach (var group in groups)
        {
            var customer = group.GetProperty("group").GetString()!;
            var own = values.Where(v => v.Customer == customer).Select(v => v.Duration).ToList();
            Assert.Equal(own.Count, group.GetProperty("count").GetInt64());
            AssertNear(Exact(own, 0.95), group.GetProperty("total").GetProperty("p95").GetDouble());
            AssertNear(Exact(own, 0.5), group.GetProperty("total").GetProperty("p50").GetDouble());
            Assert.Equal(own.Max(), group.GetProperty("total").GetProperty("max").GetDouble());
        }

        var shown = groups.Select(g => g.GetProperty("group").GetString()).ToHashSet();
        var rest = values.Where(v => !shown.Contains(v.Customer)).Select(v => v.Duration).ToList();
        var other = metrics.GetProperty("other");
        Assert.Equal(rest.Count, other.GetProperty("count").GetInt64());
        AssertNear(Exact(rest, 0.95), other.GetProperty("total").GetProperty("p95").GetDouble());
        // Every value arrived in the last hour or two: its hour bucket holds it.
        var perBucket = metrics.GetProperty("all").GetProperty("values").GetProperty("count").EnumerateArray().Where(v => v.ValueKind == JsonValueKind.Number).Sum(v => v.GetInt64());
        Assert.Equal(values.Count, perBucket);
    }

    [Theory]
    [InlineData("field=durationMs", "name")]
    [InlineData("name=x", "field")]
    [InlineData("name=x&field=durationMs&fn=p42", "fn")]
    [InlineData("name=x&field=durationMs&bucket=week", "bucket")]
    [InlineData("name=x&field=durationMs&bucket=minute&groupBy=customer", "bucket")]
    [InlineData("name=x&field=durationMs&groupBy=bad%20key", "groupBy")]
    [InlineData("name=x&field=durationMs&top=500", "top")]
    [InlineData("name=x&field=durationMs&from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z", "from")]
    [InlineData("name=x&field=durationMs&bucket=minute&from=2020-01-01T00:00:00Z&to=2020-01-01T01:00:00Z", "from")]
    [InlineData("name=x&field=durationMs&bucket=minute&from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from")]
    public async Task Bad_queries_are_400_problems_naming_the_parameter(string parameters, string field)
    {
        var answer = await _client.GetAsync(Admin, "/v1/metrics?" + parameters);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        var problem = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task Metrics_need_a_key_that_can_read()
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await _client.GetAsync(StandaloneFactory.IngestKey, "/v1/metrics?name=x&field=y")).StatusCode);
    }

    private static double Exact(IEnumerable<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        return sorted[(int)(q * (sorted.Length - 1))];
    }

    private static void AssertNear(double exact, double estimate) =>
        Assert.True(Math.Abs(estimate - exact) <= exact * 0.01 + 1e-9, $"exact {exact.ToString(CultureInfo.InvariantCulture)}, sketch {estimate.ToString(CultureInfo.InvariantCulture)}");
}
