using System.Net;
using System.Text;
using Operational.TestSupport;

namespace Operational.ApiTests;

/// <summary>Every JSON body is capped at a size that fits its endpoint, before any of it is bound.</summary>
public sealed class BodyLimitTests(StandaloneFactory factory) : IClassFixture<StandaloneFactory>
{
    private readonly OperationalClient _client = factory.CreateOperationalClient();

    [Theory]
    [InlineData("/v1/session", null, 4 * 1024)] // a username of 28 MB used to be bound before the throttle looked
    [InlineData("/v1/rules", StandaloneFactory.AdminKey, 64 * 1024)]
    [InlineData("/v1/channels", StandaloneFactory.AdminKey, 16 * 1024)]
    [InlineData("/v1/silences", StandaloneFactory.AdminKey, 4 * 1024)]
    [InlineData("/v1/keys", StandaloneFactory.AdminKey, 4 * 1024)]
    [InlineData("/v1/projects", StandaloneFactory.AdminKey, 4 * 1024)]
    public async Task An_oversized_body_is_a_413_naming_the_limit(string path, string? key, int limit)
    {
        var body = Encoding.UTF8.GetBytes($$"""{"name":"{{new string('x', limit)}}","username":"{{new string('u', 28 * 1024 * 1024)}}"}""");

        using var response = await _client.PostAsync(key, path, body, "application/json");

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, $"at most {limit} bytes");
    }

    [Fact]
    public async Task A_body_just_under_the_limit_is_read()
    {
        var comment = new string('c', 3 * 1024);

        using var response = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/silences", $$"""{"group":"A","endsAt":"2999-01-01T00:00:00Z","comment":"{{comment}}"}""");

        await ProblemAssert.NamesFieldAsync(response, "comment"); // read and validated: 1 to 500 characters
    }
}
