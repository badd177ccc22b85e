using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Operational.TestSupport;

namespace Operational.ApiTests;

/// <summary>Projects and keys through the API, and what one project's keys can and cannot do to another's data.</summary>
public sealed class ProjectsApiTests : OwnStandaloneHostTests
{
    [Fact]
    public async Task Installation_admin_creates_a_project_whose_keys_work_at_once()
    {
        var created = await CreateProjectAsync("Shop Backend (EU)");

        Assert.Equal("shop-backend-eu", created.GetProperty("project").GetProperty("id").GetString());
        var ingestKey = created.GetProperty("ingestKey").GetProperty("key").GetString()!;
        var adminKey = created.GetProperty("adminKey").GetProperty("key").GetString()!;
        Assert.StartsWith("op_ingest_", ingestKey, StringComparison.Ordinal);
        Assert.StartsWith("op_admin_", adminKey, StringComparison.Ordinal);

        var id = await Client.IngestAsync(ingestKey, """{"name":"order placed"}""");
        var e = await Client.WaitForEventAsync(adminKey, id, TimeSpan.FromSeconds(5));
        Assert.Equal("shop-backend-eu", e.GetProperty("project").GetString());

        var projects = await Client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/projects");
        Assert.Equal(["default", "shop-backend-eu"], projects.GetProperty("projects").EnumerateArray().Select(p => p.GetProperty("id").GetString()));
        var keys = await Client.GetJsonAsync(adminKey, "/v1/keys");
        Assert.All(keys.GetProperty("keys").EnumerateArray(), k => Assert.False(k.TryGetProperty("key", out _)));
        Assert.Equal(2, keys.GetProperty("keys").GetArrayLength());
    }

    [Fact]
    public async Task One_projects_keys_never_see_or_change_another_projects_data()
    {
        var a = await CreateProjectAsync("Project A");
        var b = await CreateProjectAsync("Project B");
        var (aIngest, aAdmin) = Keys(a);
        var (bIngest, bAdmin) = Keys(b);
        var aEvent = await Client.IngestAsync(aIngest, """{"id":"shared-id","name":"A's secret","category":"a-only"}""");
        await Client.WaitForEventAsync(aAdmin, aEvent, TimeSpan.FromSeconds(5));

        // Reads with B's keys: A's ids are unknown, A's events, categories and keys invisible.
        using (var one = await Client.GetAsync(bAdmin, $"/v1/events/{aEvent}"))
        {
            await ProblemAssert.IsProblemAsync(one, HttpStatusCode.NotFound);
        }

        foreach (var query in new[] { "/v1/events", "/v1/events?category=a-only", "/v1/events?q=secret", "/v1/events?test=true" })
        {
            Assert.Equal(0, (await Client.GetJsonAsync(bAdmin, query)).GetProperty("events").GetArrayLength());
        }

        Assert.Equal(0, (await Client.GetJsonAsync(bAdmin, "/v1/categories")).GetProperty("categories").GetArrayLength());
        var aKeyId = (await Client.GetJsonAsync(aAdmin, "/v1/keys")).GetProperty("keys")[0].GetProperty("id").GetString();
        Assert.DoesNotContain((await Client.GetJsonAsync(bAdmin, "/v1/keys")).GetProperty("keys").EnumerateArray(), k => k.GetProperty("id").GetString() == aKeyId);

        // Writes with B's keys: the same id lands in B, A's event is untouched; A's key cannot be revoked; projects are off limits.
        var bEvent = await Client.IngestAsync(bIngest, """{"id":"shared-id","name":"B's event"}""");
        await Client.WaitForEventAsync(bAdmin, bEvent, TimeSpan.FromSeconds(5));
        Assert.Equal("A's secret", (await Client.GetJsonAsync(aAdmin, "/v1/events/shared-id")).GetProperty("name").GetString());
        Assert.Equal("B's event", (await Client.GetJsonAsync(bAdmin, "/v1/events/shared-id")).GetProperty("name").GetString());

        using (var revoke = await SendAsync(HttpMethod.Delete, bAdmin, $"/v1/keys/{aKeyId}"))
        {
            await ProblemAssert.IsProblemAsync(revoke, HttpStatusCode.NotFound);
        }

        foreach (var (method, path) in new[] { (HttpMethod.Get, "/v1/projects"), (HttpMethod.Get, "/v1/projects/project-a/keys"), (HttpMethod.Delete, "/v1/projects/project-a"), (HttpMethod.Delete, $"/v1/projects/project-a/keys/{aKeyId}") })
        {
            using var response = await SendAsync(method, bAdmin, path);
            await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "project 'default'");
        }

        await Client.IngestAsync(aIngest, """{"name":"A still works"}""");
    }

    [Fact]
    public async Task Revoked_key_and_revoked_project_stop_working_at_once()
    {
        using var createKey = await SendAsync(HttpMethod.Post, StandaloneFactory.AdminKey, "/v1/keys", new { name = "CI", scopes = new[] { "ingest", "read" } });
        Assert.Equal(HttpStatusCode.Created, createKey.StatusCode);
        var created = await createKey.Content.ReadFromJsonAsync<JsonElement>();
        var key = created.GetProperty("key").GetString()!;
        Assert.StartsWith("op_read_", key, StringComparison.Ordinal);
        await Client.IngestAsync(key, """{"name":"before"}""");

        using (var revoke = await SendAsync(HttpMethod.Delete, StandaloneFactory.AdminKey, $"/v1/keys/{created.GetProperty("details").GetProperty("id").GetString()}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        using (var after = await Client.PostEventAsync(key, """{"name":"after"}"""))
        {
            await ProblemAssert.IsProblemAsync(after, HttpStatusCode.Unauthorized, "revoked");
        }

        var project = await CreateProjectAsync("Short lived");
        var (ingest, admin) = Keys(project);
        await Client.IngestAsync(ingest, """{"name":"alive"}""");
        using (var revoke = await SendAsync(HttpMethod.Delete, StandaloneFactory.AdminKey, "/v1/projects/short-lived"))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        using var ingestAfter = await Client.PostEventAsync(ingest, """{"name":"dead"}""");
        using var readAfter = await Client.GetAsync(admin, "/v1/events");
        await ProblemAssert.IsProblemAsync(ingestAfter, HttpStatusCode.Unauthorized);
        await ProblemAssert.IsProblemAsync(readAfter, HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("POST", "/v1/projects", """{"name":""}""", 400, "name")]
    [InlineData("POST", "/v1/projects", """{"name":"x","id":"Not Valid"}""", 400, "id")]
    [InlineData("POST", "/v1/projects", """{"name":"Default"}""", 409, null)]
    [InlineData("POST", "/v1/projects", """{"name":""", 400, null)]
    [InlineData("POST", "/v1/keys", """{"name":"x","scopes":["superuser"]}""", 400, "scopes")]
    [InlineData("POST", "/v1/keys", """{"name":"x"}""", 400, "scopes")]
    [InlineData("POST", "/v1/keys", """{"scopes":["read"]}""", 400, "name")]
    [InlineData("DELETE", "/v1/projects/default", null, 409, null)]
    [InlineData("DELETE", "/v1/projects/nope", null, 404, null)]
    [InlineData("DELETE", "/v1/keys/nope", null, 404, null)]
    [InlineData("GET", "/v1/projects/nope/keys", null, 404, null)]
    public async Task Bad_management_requests_are_precise_problems(string method, string path, string? body, int status, string? field)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Authorization = new("Bearer", StandaloneFactory.AdminKey);
        if (body is not null)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await Client.Http.SendAsync(request);

        var problem = await ProblemAssert.IsProblemAsync(response, (HttpStatusCode)status);
        if (field is not null)
        {
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        }
    }

    [Fact]
    public async Task Ingest_and_read_keys_cannot_manage_keys()
    {
        using var list = await Client.GetAsync(StandaloneFactory.IngestKey, "/v1/keys");

        await ProblemAssert.IsProblemAsync(list, HttpStatusCode.Forbidden, "scope 'admin'");
    }

    private async Task<JsonElement> CreateProjectAsync(string name)
    {
        using var response = await SendAsync(HttpMethod.Post, StandaloneFactory.AdminKey, "/v1/projects", new { name });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static (string Ingest, string Admin) Keys(JsonElement created) =>
        (created.GetProperty("ingestKey").GetProperty("key").GetString()!, created.GetProperty("adminKey").GetProperty("key").GetString()!);

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string key, string path, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new("Bearer", key);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return Client.Http.SendAsync(request);
    }
}
