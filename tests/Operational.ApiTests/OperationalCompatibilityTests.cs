using System.Net;
using System.Text;
using Operational.TestSupport;

namespace Operational.ApiTests;

/// <summary>
/// <c>/api/v1/log</c> as Operational's SDKs call it: requests built byte for byte like theirs
/// (the Node SDK posts JSON through axios with these headers; the PHP SDK json_encodes).
/// </summary>
public sealed class OperationalCompatibilityTests(StandaloneFactory factory) : IClassFixture<StandaloneFactory>
{
    private readonly OperationalClient _client = factory.CreateOperationalClient();

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    public async Task Node_SDK_request_is_201_success_and_lands_with_its_fields(string contentType)
    {
        // ops.events.ingest({...}) → POST {baseUrl}/api/v1/log, Authorization: Bearer <key>.
        var id = await PostLogAsync(contentType, """
            {"name":"user signed up","avatar":"😀","category":"signups","type":"rows",
             "content":[{"label":"Email","content":"a@example.com"},{"label":"Plan","content":"pro"}],
             "notify":true,"contextId":"signup_42","contextStart":true,"userId":"42",
             "actions":[{"key":"ban","buttonText":"Ban user?","url":"https://app.example/ban?id=42"}]}
            """);

        var e = await _client.WaitForEventAsync(StandaloneFactory.AdminKey, id, TimeSpan.FromSeconds(5));
        Assert.Equal(("user signed up", "😀", "signups", "rows"), (e.GetProperty("name").GetString(), e.GetProperty("avatar").GetString(), e.GetProperty("category").GetString(), e.GetProperty("type").GetString()));
        Assert.Equal("pro", e.GetProperty("content")[1].GetProperty("content").GetString());
        Assert.Equal(("signup_42", true, "42"), (e.GetProperty("contextId").GetString(), e.GetProperty("contextStart").GetBoolean(), e.GetProperty("userId").GetString()));
        Assert.True(e.GetProperty("notify").GetBoolean());
        Assert.Equal("ban", e.GetProperty("actions")[0].GetProperty("key").GetString());
    }

    [Fact]
    public async Task PHP_SDK_request_with_escaped_unicode_and_test_flag_lands()
    {
        // PHP's json_encode escapes non-ASCII and slashes; the SDK adds "test": true in test mode.
        var id = await PostLogAsync("application/json", """{"name":"cron finished","avatar":"\u23f0","content":"https:\/\/example.com\/cron","test":true}""");

        var stored = await _client.WaitForEventAsync(StandaloneFactory.AdminKey, id, TimeSpan.FromSeconds(5));
        var testFeed = await _client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/events?test=true");
        Assert.Contains(testFeed.GetProperty("events").EnumerateArray(), x => x.GetProperty("id").GetString() == id);
        Assert.True(stored.GetProperty("test").GetBoolean());
        Assert.Equal("⏰", stored.GetProperty("avatar").GetString());
        Assert.Equal("https://example.com/cron", stored.GetProperty("content").GetString());
    }

    [Fact]
    public async Task Plain_text_line_becomes_avatar_and_name()
    {
        var id = await PostLogAsync("text/plain", "🔥 deploy finished");

        var e = await _client.WaitForEventAsync(StandaloneFactory.AdminKey, id, TimeSpan.FromSeconds(5));
        Assert.Equal("🔥", e.GetProperty("avatar").GetString());
        Assert.Equal("deploy finished", e.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Plain_text_without_emoji_is_all_name()
    {
        var id = await PostLogAsync("text/plain; charset=utf-8", "backup done");

        var e = await _client.WaitForEventAsync(StandaloneFactory.AdminKey, id, TimeSpan.FromSeconds(5));
        Assert.Equal("backup done", e.GetProperty("name").GetString());
        Assert.False(e.TryGetProperty("avatar", out _));
    }

    [Fact]
    public async Task Truncation_keeps_the_full_value_in_a_warning()
    {
        var name = "Nightly export of every customer record finished after a long run";
        var id = await PostLogAsync("application/json", $$"""{"name":"{{name}}","category":"data-warehouse-nightly-jobs"}""");

        var e = await _client.WaitForEventAsync(StandaloneFactory.AdminKey, id, TimeSpan.FromSeconds(5));
        Assert.Equal(48, e.GetProperty("name").GetString()!.Length);
        Assert.Equal("data-warehouse-nightly-j", e.GetProperty("category").GetString());
        var warnings = e.GetProperty("warnings").EnumerateArray().ToList();
        Assert.Contains(warnings, w => w.GetProperty("field").GetString() == "name" && w.GetProperty("original").GetString() == name);
        Assert.Contains(warnings, w => w.GetProperty("field").GetString() == "category");
    }

    [Theory]
    [InlineData("text/plain", "")]
    [InlineData("text/plain", "🔥")]
    [InlineData("application/json", "{\"type\":\"map\",\"name\":\"x\"}")]
    [InlineData("application/json", "{\"avatar\":\"🎉\"}")]
    public async Task Unusable_events_are_400(string contentType, string body)
    {
        using var response = await _client.PostAsync(StandaloneFactory.IngestKey, "/api/v1/log", body, contentType);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Invalid_utf8_text_is_400_and_other_media_types_415()
    {
        using var invalid = await _client.PostAsync(StandaloneFactory.IngestKey, "/api/v1/log", [0xF0, 0x28, 0x8C, 0x28], "text/plain");
        using var form = await _client.PostAsync(StandaloneFactory.IngestKey, "/api/v1/log", "name=x", "application/x-www-form-urlencoded");
        using var missingKey = await _client.PostAsync(null, "/api/v1/log", "🔥 x", "text/plain");

        await ProblemAssert.NamesFieldAsync(invalid, "body");
        await ProblemAssert.IsProblemAsync(form, HttpStatusCode.UnsupportedMediaType);
        await ProblemAssert.IsProblemAsync(missingKey, HttpStatusCode.Unauthorized);
    }

    private async Task<string> PostLogAsync(string contentType, string body)
    {
        using var response = await _client.PostAsync(StandaloneFactory.IngestKey, "/api/v1/log", Encoding.UTF8.GetBytes(body), contentType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("success", text);
        var location = response.Headers.Location!.OriginalString;
        Assert.StartsWith("/v1/events/", location, StringComparison.Ordinal);
        return location["/v1/events/".Length..];
    }
}
