using System.Diagnostics.Metrics;
using System.Net;
using Operational.TestSupport;

namespace Operational.ApiTests;

/// <summary>Every caller has its limit: each key its own bucket, each address a small one for calls without valid credentials.</summary>
public sealed class RateLimitTests() : OwnStandaloneHostTests(settings: new Dictionary<string, string>
{
    ["RateLimits:PerKeyPerSecond"] = "1",
    ["RateLimits:PerKeyBurst"] = "5",
    ["RateLimits:UnauthenticatedPerMinute"] = "12",
    ["RateLimits:UnauthenticatedBurst"] = "3",
})
{
    [Fact]
    public async Task A_key_past_its_burst_gets_429_with_retry_after_and_other_keys_are_unaffected()
    {
        using var rejections = new RejectionCounter();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            using var response = await Client.PostEventAsync(StandaloneFactory.IngestKey, $$"""{"name":"spam {{i}}","notify":true}""");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.TooManyRequests, "rate limit");
                Assert.True(int.Parse(response.Headers.RetryAfter!.ToString(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
                Assert.Equal(429, problem.GetProperty("status").GetInt32());
            }
        }

        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.Accepted));
        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        using var admin = await Client.GetAsync(StandaloneFactory.AdminKey, "/v1/keys");
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Equal(3, rejections.Key);
    }

    [Fact]
    public async Task Wrong_keys_from_one_address_are_slowed_down_while_valid_keys_work()
    {
        using var rejections = new RejectionCounter();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await Client.GetAsync($"op_admin_guess{i:D28}", "/v1/events");
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized,
            HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        using var valid = await Client.GetAsync(StandaloneFactory.AdminKey, "/v1/events");
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        Assert.Equal(3, rejections.Address);
    }

    [Fact]
    public async Task Open_endpoints_are_not_limited()
    {
        using var http = Factory.CreateClient();
        for (var i = 0; i < 20; i++)
        {
            using var health = await http.GetAsync("/health/live");
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            using var page = await http.GetAsync("/js/app.js");
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }
    }

    /// <summary>Reads operational.ratelimit.rejections as an OpenTelemetry exporter would.</summary>
    private sealed class RejectionCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private int _key;
        private int _address;

        public RejectionCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "operational.ratelimit.rejections")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag is { Key: "limit", Value: "key" })
                    {
                        Interlocked.Add(ref _key, (int)value);
                    }
                    else if (tag is { Key: "limit", Value: "address" })
                    {
                        Interlocked.Add(ref _address, (int)value);
                    }
                }
            });
            _listener.Start();
        }

        public int Key => Volatile.Read(ref _key);

        public int Address => Volatile.Read(ref _address);

        public void Dispose() => _listener.Dispose();
    }
}
