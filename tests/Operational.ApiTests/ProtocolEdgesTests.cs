using System.Net;
using System.Text;
using System.Text.Json;
using Operational.TestSupport;

namespace Operational.ApiTests;

/// <summary>Requests that are wrong in their protocol, not their content: precise 4xx answers.</summary>
public sealed class ProtocolEdgesTests(StandaloneFactory factory) : IClassFixture<StandaloneFactory>
{
    private readonly OperationalClient _client = factory.CreateOperationalClient();

    [Theory]
    [InlineData("/v1/keys", "application/x-www-form-urlencoded")]
    [InlineData("/v1/rules", "text/plain")]
    [InlineData("/v1/channels", null)]
    public async Task A_body_that_is_not_json_is_a_415_not_a_404(string path, string? contentType)
    {
        using var response = await _client.PostAsync(StandaloneFactory.AdminKey, path, Encoding.UTF8.GetBytes("name=x"), contentType);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "application/json");
    }

    [Fact]
    public async Task The_openapi_document_still_describes_json_bodies()
    {
        var document = JsonDocument.Parse(await _client.Http.GetStringAsync("/openapi/v1.json")).RootElement;

        var body = document.GetProperty("paths").GetProperty("/v1/rules").GetProperty("post").GetProperty("requestBody");
        Assert.True(body.GetProperty("content").TryGetProperty("application/json", out var json) && json.TryGetProperty("schema", out _));
    }

    [Fact]
    public async Task The_rule_checks_dashboard_answers_what_it_cannot_read_with_a_4xx()
    {
        using var stats = await _client.GetAsync(StandaloneFactory.AdminKey, "/hangfire/stats");
        await ProblemAssert.IsProblemAsync(stats, HttpStatusCode.MethodNotAllowed);

        using var json = await _client.PostAsync(StandaloneFactory.AdminKey, "/hangfire/recurring/remove", """{"jobs":["x"]}""");
        await ProblemAssert.IsProblemAsync(json, HttpStatusCode.UnsupportedMediaType);
    }
}
