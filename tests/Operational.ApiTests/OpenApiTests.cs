using System.Net;
using System.Text.Json;
using Operational.TestSupport;

namespace Operational.ApiTests;

/// <summary>The gateway describes the whole public API and serves an interactive reference for it.</summary>
public sealed class OpenApiTests(StandaloneFactory factory) : IClassFixture<StandaloneFactory>
{
    private readonly OperationalClient _client = factory.CreateOperationalClient();

    [Fact]
    public async Task Document_lists_every_public_endpoint_with_bearer_authentication()
    {
        using var response = await _client.Http.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        foreach (var path in new[] { "/v1/events", "/v1/events/batch", "/v1/events/{id}", "/v1/events/stream", "/v1/categories", "/api/v1/log", "/v1/keys", "/v1/projects", "/v1/retention" })
        {
            Assert.Contains(path, paths);
        }

        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString());
    }

    [Fact]
    public async Task Reference_page_is_served_without_a_key()
    {
        using var response = await _client.Http.GetAsync("/reference");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Operational API", html, StringComparison.Ordinal);
        Assert.Contains("openapi", html, StringComparison.Ordinal);
        // The page's script ships with the gateway: the reference works on machines without internet access.
        var script = System.Text.RegularExpressions.Regex.Match(html, "src=\"([^\"]+\\.js)\"").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(script), html);
        Assert.DoesNotContain("://", script, StringComparison.Ordinal);
        using var js = await _client.Http.GetAsync(script.StartsWith('/') ? script : "/reference/" + script);
        Assert.Equal(HttpStatusCode.OK, js.StatusCode);
    }
}
