using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Operational.TestSupport;

namespace Operational.ApiTests;

/// <summary>Dashboard sign-in: operators, cookie sessions, projects chosen per request, CSRF header, roles.</summary>
public sealed class SessionsApiTests : IAsyncLifetime
{
    private const string Password = "first-admin-password";

    private readonly StandaloneFactory _factory = new()
    {
        Settings = new Dictionary<string, string>
        {
            ["Bootstrap:OperatorUsername"] = "Root",
            ["Bootstrap:OperatorPassword"] = Password,
            ["Sessions:SignInAttemptsPerMinute"] = "1000",
        },
    };

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();

    private HttpClient Browser() => _factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true });

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string username, string password) =>
        await browser.PostAsJsonAsync("/v1/session", new { username, password });

    private static HttpRequestMessage Change(HttpMethod method, string path, object? body, string? project = "default")
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (project is not null)
        {
            request.Headers.Add("X-Operational-Project", project);
        }

        return request;
    }

    [Fact]
    public async Task Wrong_password_and_unknown_user_get_the_same_401_and_no_cookie()
    {
        using var browser = Browser();
        foreach (var (user, password) in new[] { ("root", "not-the-password"), ("nobody", Password) })
        {
            using var response = await SignInAsync(browser, user, password);
            var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized);
            Assert.Equal("Wrong username or password.", problem.GetProperty("detail").GetString());
            Assert.False(response.Headers.Contains("Set-Cookie"));
        }

        using var empty = await browser.PostAsJsonAsync("/v1/session", new { username = "" });
        var validation = await ProblemAssert.IsProblemAsync(empty, HttpStatusCode.BadRequest);
        Assert.True(validation.GetProperty("errors").TryGetProperty("password", out _));
    }

    [Fact]
    public async Task A_session_reads_and_changes_the_chosen_project_and_ends_at_sign_out()
    {
        using var browser = Browser();
        using var signedIn = await SignInAsync(browser, "ROOT", Password);
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        var cookie = Assert.Single(signedIn.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        var session = JsonDocument.Parse(await signedIn.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("root", session.GetProperty("operator").GetProperty("username").GetString());
        Assert.Equal("admin", session.GetProperty("operator").GetProperty("role").GetString());

        // Reads need no header (EventSource cannot send one); the project defaults to "default".
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/v1/events")).StatusCode);

        // Changes without the project header are refused: a cross-site form cannot add it.
        using var noHeader = await browser.SendAsync(Change(HttpMethod.Post, "/v1/keys", new { name = "ci", scopes = new[] { "ingest" } }, project: null));
        await ProblemAssert.IsProblemAsync(noHeader, HttpStatusCode.Unauthorized);

        // An admin operator creates a project and works in it by naming it.
        using var created = await browser.SendAsync(Change(HttpMethod.Post, "/v1/projects", new { name = "Shop", id = "shop" }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var key = await browser.SendAsync(Change(HttpMethod.Post, "/v1/keys", new { name = "ci", scopes = new[] { "ingest" } }, "shop"));
        Assert.Equal(HttpStatusCode.Created, key.StatusCode);
        var keys = JsonDocument.Parse(await browser.GetStringAsync("/v1/keys?project=shop")).RootElement.GetProperty("keys");
        Assert.Contains(keys.EnumerateArray(), k => k.GetProperty("name").GetString() == "ci");
        Assert.DoesNotContain(JsonDocument.Parse(await browser.GetStringAsync("/v1/keys")).RootElement.GetProperty("keys").EnumerateArray(), k => k.GetProperty("name").GetString() == "ci");
        using var unknown = await browser.SendAsync(Change(HttpMethod.Get, "/v1/events", null, "no-such-project"));
        await ProblemAssert.IsProblemAsync(unknown, HttpStatusCode.Unauthorized);

        using var signOut = await browser.SendAsync(Change(HttpMethod.Delete, "/v1/session", null));
        Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
        await ProblemAssert.IsProblemAsync(await browser.GetAsync("/v1/session"), HttpStatusCode.Unauthorized);
        await ProblemAssert.IsProblemAsync(await browser.GetAsync("/v1/events"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Members_read_but_do_not_manage_and_lose_access_when_removed()
    {
        using var admin = Browser();
        await SignInAsync(admin, "root", Password);
        using var created = await admin.SendAsync(Change(HttpMethod.Post, "/v1/operators", new { username = "Mia", password = "member-password", role = "member" }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var mia = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        using var taken = await admin.SendAsync(Change(HttpMethod.Post, "/v1/operators", new { username = "mia", password = "member-password" }));
        await ProblemAssert.IsProblemAsync(taken, HttpStatusCode.Conflict);
        using var weak = await admin.SendAsync(Change(HttpMethod.Post, "/v1/operators", new { username = "leo", password = "short", role = "owner" }));
        var problem = await ProblemAssert.IsProblemAsync(weak, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("password", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("role", out _));

        using var member = Browser();
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync(member, "mia", "member-password")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync("/v1/rules")).StatusCode);
        using var rule = await member.SendAsync(Change(HttpMethod.Post, "/v1/rules", new { name = "x", kind = "match" }));
        await ProblemAssert.IsProblemAsync(rule, HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await member.GetAsync("/v1/operators"), HttpStatusCode.Forbidden);

        using var self = await admin.SendAsync(Change(HttpMethod.Delete, $"/v1/operators/{JsonDocument.Parse(await admin.GetStringAsync("/v1/session")).RootElement.GetProperty("operator").GetProperty("id").GetString()}", null));
        await ProblemAssert.IsProblemAsync(self, HttpStatusCode.Conflict);
        using var removed = await admin.SendAsync(Change(HttpMethod.Delete, $"/v1/operators/{mia}", null));
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        // At once on the gateway that removed them, although their session lookup is cached (Sessions:CacheDuration).
        await ProblemAssert.IsProblemAsync(await member.GetAsync("/v1/rules"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Changing_the_password_signs_out_other_sessions_but_not_this_one()
    {
        using var admin = Browser();
        await SignInAsync(admin, "root", Password);
        await admin.SendAsync(Change(HttpMethod.Post, "/v1/operators", new { username = "ops", password = "ops-password-1", role = "admin" }));
        using var laptop = Browser();
        using var phone = Browser();
        await SignInAsync(laptop, "ops", "ops-password-1");
        await SignInAsync(phone, "ops", "ops-password-1");
        Assert.Equal(HttpStatusCode.OK, (await phone.GetAsync("/v1/session")).StatusCode); // its lookup is now cached

        using var wrong = await laptop.SendAsync(Change(HttpMethod.Put, "/v1/session/password", new { currentPassword = "nope", newPassword = "ops-password-2" }));
        await ProblemAssert.IsProblemAsync(wrong, HttpStatusCode.BadRequest);
        using var changed = await laptop.SendAsync(Change(HttpMethod.Put, "/v1/session/password", new { currentPassword = "ops-password-1", newPassword = "ops-password-2" }));
        Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await laptop.GetAsync("/v1/session")).StatusCode);
        await ProblemAssert.IsProblemAsync(await phone.GetAsync("/v1/session"), HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(Browser(), "ops", "ops-password-1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync(Browser(), "ops", "ops-password-2")).StatusCode);
    }

    [Fact]
    public async Task Api_keys_keep_working_beside_sessions_and_have_no_session()
    {
        var client = _factory.CreateOperationalClient();
        using var events = await client.GetAsync(StandaloneFactory.AdminKey, "/v1/events");
        Assert.Equal(HttpStatusCode.OK, events.StatusCode);
        using var session = await client.GetAsync(StandaloneFactory.AdminKey, "/v1/session");
        await ProblemAssert.IsProblemAsync(session, HttpStatusCode.Unauthorized);
    }
}

public sealed class SignInThrottleTests : IAsyncLifetime
{
    private readonly StandaloneFactory _factory = new()
    {
        Settings = new Dictionary<string, string> { ["Bootstrap:OperatorPassword"] = "first-admin-password", ["Sessions:SignInAttemptsPerMinute"] = "3" },
    };

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task Guessing_is_slowed_to_the_configured_attempts_per_minute()
    {
        using var browser = _factory.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await browser.PostAsJsonAsync("/v1/session", new { username = "admin", password = $"guess-{i}" })).StatusCode);
        }

        using var limited = await browser.PostAsJsonAsync("/v1/session", new { username = "admin", password = "first-admin-password" });
        await ProblemAssert.IsProblemAsync(limited, HttpStatusCode.TooManyRequests);
        Assert.Equal("60", limited.Headers.RetryAfter?.ToString());
    }

    [Fact]
    public async Task Guessing_the_current_password_through_a_session_is_slowed_too()
    {
        using var browser = _factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true });
        Assert.Equal(HttpStatusCode.OK, (await browser.PostAsJsonAsync("/v1/session", new { username = "admin", password = "first-admin-password" })).StatusCode);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var change = new HttpRequestMessage(HttpMethod.Put, "/v1/session/password")
            {
                Content = JsonContent.Create(new { currentPassword = $"guess-{i}", newPassword = "a-new-password-1" }),
                Headers = { { "X-Operational-Project", "default" } },
            };
            statuses.Add((await browser.SendAsync(change)).StatusCode);
        }

        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.TooManyRequests], statuses);
    }
}

/// <summary>Behind a TLS proxy that is trusted, the gateway sees the client: secure cookies, throttles per client.</summary>
public sealed class TrustedProxyTests : IAsyncLifetime
{
    private const string Password = "first-admin-password";

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task A_trusted_proxy_makes_the_cookie_secure_and_each_client_its_own_throttle()
    {
        await using var factory = Factory(trusted: true);
        using var browser = factory.CreateClient();

        using var signedIn = await SignInAsync(browser, "admin", Password, client: "198.51.100.7", https: true);
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        Assert.Contains("secure", string.Join(";", signedIn.Headers.GetValues("Set-Cookie")), StringComparison.OrdinalIgnoreCase);

        // One client guessing locks out only itself, not every operator behind the proxy.
        for (var i = 0; i < 3; i++)
        {
            using var guess = await SignInAsync(browser, "admin", $"guess-{i}", client: "203.0.113.66", https: true);
        }

        await ProblemAssert.IsProblemAsync(await SignInAsync(browser, "admin", Password, client: "203.0.113.66", https: true), HttpStatusCode.TooManyRequests);
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync(browser, "admin", Password, client: "198.51.100.8", https: true)).StatusCode);
    }

    [Fact]
    public async Task Without_trusted_proxies_forwarded_headers_are_ignored()
    {
        await using var factory = Factory(trusted: false);
        using var browser = factory.CreateClient();

        using var signedIn = await SignInAsync(browser, "admin", Password, client: "198.51.100.7", https: true);

        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        Assert.DoesNotContain("secure", string.Join(";", signedIn.Headers.GetValues("Set-Cookie")), StringComparison.OrdinalIgnoreCase);
    }

    private static StandaloneFactory Factory(bool trusted) => new()
    {
        Settings = trusted
            ? new Dictionary<string, string> { ["Bootstrap:OperatorPassword"] = Password, ["Sessions:SignInAttemptsPerMinute"] = "3", ["Gateway:TrustedProxies:Addresses:0"] = "10.0.0.5" }
            : new Dictionary<string, string> { ["Bootstrap:OperatorPassword"] = Password, ["Sessions:SignInAttemptsPerMinute"] = "3" },
        // Every request arrives from the proxy's address, as it would behind one.
        ConfigureServices = services => services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter>(new FromAddress(IPAddress.Parse("10.0.0.5"))),
    };

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string username, string password, string client, bool https)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/session") { Content = JsonContent.Create(new { username, password }) };
        request.Headers.Add("X-Forwarded-For", client);
        request.Headers.Add("X-Forwarded-Proto", https ? "https" : "http");
        return await browser.SendAsync(request);
    }

    private sealed class FromAddress(IPAddress address) : Microsoft.AspNetCore.Hosting.IStartupFilter
    {
        public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
        {
            app.Use(then => context =>
            {
                context.Connection.RemoteIpAddress = address;
                return then(context);
            });
            next(app);
        };
    }
}
