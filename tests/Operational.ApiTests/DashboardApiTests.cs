using System.Net;
using System.Text.Json;
using Operational.TestSupport;

namespace Operational.ApiTests;

/// <summary>The dashboard's files and its chart data (<c>/v1/volume</c>).</summary>
public sealed class DashboardApiTests(StandaloneFactory factory) : IClassFixture<StandaloneFactory>
{
    private readonly HttpClient _http = factory.CreateClient();
    private readonly OperationalClient _client = factory.CreateOperationalClient();

    [Theory]
    [InlineData("/", "text/html")]
    [InlineData("/events/0196abc.def", "text/html")]
    [InlineData("/contexts/cron-2026-11-23", "text/html")]
    [InlineData("/settings", "text/html")]
    [InlineData("/js/app.js", "text/javascript")]
    [InlineData("/sw.js", "text/javascript")]
    [InlineData("/manifest.webmanifest", "application/manifest+json")]
    [InlineData("/icons/icon-512.png", "image/png")]
    public async Task Pages_answer_the_shell_and_files_themselves(string path, string type)
    {
        using var response = await _http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        if (type == "text/html")
        {
            Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
            Assert.Contains("<title>Operational</title>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/v1/no-such-api")]
    [InlineData("/api/v2/log")]
    [InlineData("/js/missing.js")]
    [InlineData("/no/such/page")]
    public async Task Unknown_apis_and_files_are_404_problems_not_the_shell(string path)
    {
        using var response = await _http.GetAsync(path);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_manifest_makes_the_app_installable()
    {
        var manifest = JsonDocument.Parse(await _http.GetStringAsync("/manifest.webmanifest")).RootElement;
        Assert.Equal("standalone", manifest.GetProperty("display").GetString());
        Assert.Equal("/", manifest.GetProperty("start_url").GetString());
        var sizes = manifest.GetProperty("icons").EnumerateArray().Select(i => i.GetProperty("sizes").GetString()).ToList();
        Assert.Contains("192x192", sizes);
        Assert.Contains("512x512", sizes);
        foreach (var icon in manifest.GetProperty("icons").EnumerateArray())
        {
            Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(icon.GetProperty("src").GetString())).StatusCode);
        }
    }

    [Fact]
    public async Task Volume_counts_events_per_category_and_name_in_aligned_buckets()
    {
        var category = "vol-" + Guid.NewGuid().ToString("N")[..8];
        var now = DateTimeOffset.UtcNow;
        var ids = new List<string>();
        foreach (var (name, hoursAgo) in new[] { ("lead created", 0), ("lead created", 0), ("lead created", 3), ("lead lost", 3), ("lead created", 30) })
        {
            var at = now.AddHours(-hoursAgo).ToString("O");
            ids.Add(await _client.IngestAsync(StandaloneFactory.IngestKey, $$"""{"name":"{{name}}","category":"{{category}}","timestamp":"{{at}}"}"""));
        }

        foreach (var id in ids)
        {
            await _client.WaitForEventAsync(StandaloneFactory.AdminKey, id, TimeSpan.FromSeconds(10));
        }

        var day = await _client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/volume?by=category&range=24h&limit=50");
        Assert.Equal(3600, day.GetProperty("bucketSeconds").GetInt32());
        var from = day.GetProperty("from").GetDateTimeOffset();
        Assert.Equal(0, from.ToUnixTimeSeconds() % 3600);
        Assert.Equal(TimeSpan.FromHours(24), day.GetProperty("to").GetDateTimeOffset() - from);
        var series = day.GetProperty("series").EnumerateArray().Single(s => s.GetProperty("key").GetString() == category);
        Assert.Equal(4, series.GetProperty("total").GetInt64()); // the event 30 hours ago is outside
        var counts = series.GetProperty("counts").EnumerateArray().Select(c => c.GetInt64()).ToArray();
        Assert.Equal(24, counts.Length);
        // Each event in the bucket its timestamp falls in, counted from the answer's own start.
        int Bucket(int hoursAgo) => (int)((now.AddHours(-hoursAgo) - from).Ticks / TimeSpan.TicksPerHour);
        Assert.Equal(2, counts[Bucket(0)]);
        Assert.Equal(2, counts[Bucket(3)]);
        Assert.Equal(4, counts.Sum());

        var week = await _client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/volume?by=name&range=7d&limit=50");
        Assert.Equal(21600, week.GetProperty("bucketSeconds").GetInt32());
        var names = week.GetProperty("series").EnumerateArray().ToDictionary(s => s.GetProperty("key").GetString()!, s => s.GetProperty("total").GetInt64());
        Assert.True(names["lead created"] >= 4);
        Assert.True(names["lead lost"] >= 1);

        var top = await _client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/volume?by=name&range=7d&limit=1");
        Assert.Single(top.GetProperty("series").EnumerateArray());
        Assert.Equal(
            week.GetProperty("total").GetInt64(),
            top.GetProperty("series")[0].GetProperty("total").GetInt64() + top.GetProperty("other").GetProperty("total").GetInt64());
    }

    [Theory]
    [InlineData("/v1/volume?by=tag", "by")]
    [InlineData("/v1/volume?range=1y", "range")]
    [InlineData("/v1/volume?limit=0", "limit")]
    public async Task Volume_rejects_unknown_options_naming_them(string path, string field)
    {
        using var response = await _client.GetAsync(StandaloneFactory.AdminKey, path);
        await ProblemAssert.NamesFieldAsync(response, field);
    }
}
