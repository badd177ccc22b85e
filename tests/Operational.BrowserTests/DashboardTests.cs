using System.Buffers.Text;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Operational.TestSupport;
using static Microsoft.Playwright.Assertions;

namespace Operational.BrowserTests;

/// <summary>
/// The dashboard in Debian's Chromium against the standalone host running as its own process:
/// an operator signs in, sees an event sent by curl arrive live, opens its context, creates a
/// volume rule (meeting a validation message first), adds a webhook channel and sends its test,
/// turns push on, and sets up a job check that curl pings to a failure. The same run takes the screenshots in docs/screenshots (see README).
/// </summary>
public sealed class DashboardTests : IAsyncLifetime
{
    private const string AdminKey = "op_admin_browser-tests-0123456789abcdef";
    private const string IngestKey = "op_ingest_browser-tests-0123456789abcdef";
    private const string Password = "browser-tests-password";

    private readonly TempDirectory _data = new("operational-browser");
    // A relative folder is the repository's (docs/screenshots), not the test run's working folder.
    private readonly string _screenshots = Environment.GetEnvironmentVariable("OPERATIONAL_SCREENSHOTS_DIR") is { Length: > 0 } dir
        ? Path.GetFullPath(dir, RepositoryPaths.Root)
        : Path.Combine(Path.GetTempPath(), "operational-screenshots");

    private ServiceProcess _host = null!;
    private RecordingReceiver _receiver = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private HttpClient _api = null!;

    public async ValueTask InitializeAsync()
    {
        _receiver = await RecordingReceiver.StartAsync();
        _host = await ServiceProcess.StartAsync("standalone", "compose/Operational.Standalone", "Operational.Standalone", new Dictionary<string, string>
        {
            ["Storage__Sqlite__DataDirectory"] = _data.Path,
            ["Bootstrap__AdminKey"] = AdminKey,
            ["Bootstrap__IngestKey"] = IngestKey,
            ["Bootstrap__OperatorPassword"] = Password,
            // The webhook receiver and the stand-in push service are on this machine.
            ["Notifications__Outbound__AllowedHosts__0"] = "127.0.0.1",
        });
        _api = new HttpClient { BaseAddress = _host.Address };
        (_playwright, _browser) = await Chromium.LaunchAsync();
        Directory.CreateDirectory(_screenshots);
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        _api.Dispose();
        await _host.DisposeAsync();
        await _receiver.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task An_operator_signs_in_watches_the_feed_live_and_sets_up_rules_channels_and_push()
    {
        var (p256dh, auth) = DeviceKeys();
        var pushEndpoint = new Uri(_receiver.Address, "/push/device-1").ToString();
        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = Chromium.Desktop, BaseURL = _host.Address.ToString() });
        // The permission prompt is answered by the test, as the issue allows.
        await context.GrantPermissionsAsync(["notifications"], new BrowserContextGrantPermissionsOptions { Origin = _host.Address.ToString().TrimEnd('/') });
        // Headless Chromium here has no route to a real push service (FCM), so only the browser's
        // registration with it is stood in for: subscribe() hands back a subscription whose endpoint
        // is the local receiver. The service worker, the permission, the VAPID key, the API calls
        // and the encrypted delivery afterwards are all real.
        await context.AddInitScriptAsync(PushServiceStandIn(pushEndpoint, p256dh, auth));
        var page = await context.NewPageAsync();
        var consoleErrors = new List<string>();
        // Script errors fail the test; refused requests (401 before sign-in, 400 from validation) are
        // expected and logged by Chromium as failed loads, so the server's answers are checked instead: never a 5xx.
        page.Console += (_, message) => { if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal)) consoleErrors.Add(message.Text); };
        page.PageError += (_, error) => consoleErrors.Add(error);
        page.Response += (_, response) => { if (response.Status >= 500) consoleErrors.Add($"{response.Status} from {response.Url}"); };

        // Sign in: a wrong password is refused with the API's message, the right one opens the feed.
        await page.GotoAsync("/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to Operational" })).ToBeVisibleAsync();
        await Shot(page, "signin", "desktop");
        await page.GetByLabel("Username").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync("not the password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByText("Wrong username or password.")).ToBeVisibleAsync();
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Live" })).ToBeVisibleAsync();
        await Expect(page.GetByText("No events yet.", new() { Exact = false })).ToBeVisibleAsync();

        // An event sent by curl appears without a reload (the marker would not survive one).
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");
        var runId = "backup-" + Guid.NewGuid().ToString("N")[..8];
        await CurlAsync(new { name = "nightly backup started", avatar = "💾", category = "cron", contextId = runId, contextStart = true, content = "pg_dump of shop, 3 databases" });
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "nightly backup started" })).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page reloaded");

        await SendAsync(new { name = "database dumped", avatar = "📦", category = "cron", contextId = runId, type = "rows", content = new object[] { new { label = "Database", content = "shop" }, new { label = "Size (MB)", content = 812 } } });
        await SendAsync(new { name = "nightly backup finished", avatar = "✅", category = "cron", contextId = runId, contextEnd = true, level = "success", content = "3 databases, 1.2 GB, uploaded" });
        await SeedFeedAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "nightly backup finished" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "payment failed" })).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page reloaded");
        await Shot(page, "feed", "desktop");

        // The filters are one compact bar at desktop width; filtering moves to a new URL without a reload.
        var bar = await page.Locator("form.filters").BoundingBoxAsync();
        Assert.True(bar!.Height < 60, $"the filter bar is {bar.Height} px tall at desktop width");
        await page.GetByLabel("Level").SelectOptionAsync("error");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("[?&]level=error"));
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "payment failed" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "nightly backup finished" })).ToHaveCountAsync(0);
        await page.GoBackAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "nightly backup finished" })).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "filtering reloaded the page");

        // Its context: the timeline of the three events, completed.
        await page.GetByRole(AriaRole.Link, new() { Name = runId }).First.ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/contexts/{runId}$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "💾 nightly backup started" })).ToBeVisibleAsync();
        await Expect(page.Locator(".summary-grid .status")).ToHaveTextAsync("completed");
        await Expect(page.Locator(".timeline > li")).ToHaveCountAsync(3);
        await Shot(page, "context", "desktop");

        // A deep link to one event (what a push notification opens) loads on its own.
        var paymentId = await FirstEventIdAsync("payment failed");
        await page.GotoAsync($"/events/{paymentId}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "💳 payment failed" })).ToBeVisibleAsync();
        await Shot(page, "event", "desktop");

        // A webhook channel, and its test delivered to the receiver with a Standard Webhooks signature.
        await page.GetByRole(AriaRole.Link, new() { Name = "Channels" }).ClickAsync();
        await page.GetByLabel("Name").FillAsync("Ops webhook");
        await page.GetByLabel("Kind").SelectOptionAsync("webhook");
        await page.GetByLabel("URL").FillAsync(new Uri(_receiver.Address, "/hook").ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Add channel" }).ClickAsync();
        await Expect(page.GetByText("Signing secret for this webhook")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Send test" }).ClickAsync();
        await Expect(page.Locator("td.status-succeeded").First).ToBeVisibleAsync(new() { Timeout = 15_000 });
        var hook = await _receiver.WaitForAsync(r => r.Path == "/hook", TimeSpan.FromSeconds(5));
        Assert.StartsWith("v1,", hook.Headers["webhook-signature"], StringComparison.Ordinal);
        Assert.Contains("channel.test", Encoding.UTF8.GetString(hook.Body), StringComparison.Ordinal);
        await Shot(page, "channels", "desktop");

        // A volume rule: the API's validation message shows next to its field, then the fixed rule saves.
        await page.GetByRole(AriaRole.Link, new() { Name = "Rules" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "New rule" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Leads per campaign group");
        await page.GetByLabel("Kind").SelectOptionAsync("volume");
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Event name" }).FillAsync("lead created");
        await page.GetByLabel("Window (seconds)").FillAsync("3600");
        await page.GetByLabel("Check schedule (cron)").FillAsync("*/5 * * * *");
        await page.Locator("fieldset[data-kind=volume]").GetByLabel("Time zone").FillAsync("Mars/Olympus_Mons");
        await page.GetByLabel("Per value of tag").FillAsync("campaignGroup");
        await page.GetByLabel("Ops webhook (webhook)").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create rule" }).ClickAsync();
        await Expect(page.Locator(".field-error").Filter(new() { HasText = "volume.schedule.timeZone" })).ToBeVisibleAsync();
        await Shot(page, "rule-validation", "desktop");
        await page.Locator("fieldset[data-kind=volume]").GetByLabel("Time zone").FillAsync("Europe/Berlin");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create rule" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Rule: Leads per campaign group" })).ToBeVisibleAsync();
        var rules = await GetJsonAsync("/v1/rules");
        var rule = Assert.Single(rules.GetProperty("rules").EnumerateArray(), r => r.GetProperty("name").GetString() == "Leads per campaign group");
        Assert.Equal("volume", rule.GetProperty("kind").GetString());
        Assert.Equal("Europe/Berlin", rule.GetProperty("volume").GetProperty("schedule").GetProperty("timeZone").GetString());
        Assert.Equal("campaignGroup", rule.GetProperty("volume").GetProperty("groupBy").GetString());
        Assert.Equal(1, rule.GetProperty("channels").GetArrayLength());
        await Shot(page, "rule", "desktop");

        // Push on for this device: the service worker subscribes with the VAPID key, the project stores
        // the subscription, and a notify event reaches the device's push endpoint encrypted.
        await page.GetByRole(AriaRole.Link, new() { Name = "Settings" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn push on" }).ClickAsync();
        await Expect(page.GetByText("Push is on for default on this device.")).ToBeVisibleAsync();
        Assert.Equal(65, await page.EvaluateAsync<int>("() => window.__applicationServerKeyLength"));
        Assert.True(await page.EvaluateAsync<bool>("async () => !!(await navigator.serviceWorker.ready).active"));
        // Chromium's own verdict on installability (manifest, icons, service worker, start URL).
        var cdp = await context.NewCDPSessionAsync(page);
        var installability = await cdp.SendAsync("Page.getInstallabilityErrors");
        // Playwright's contexts are incognito-like, which Chromium names as the one reason; any other fails.
        var reasons = installability!.Value.GetProperty("installabilityErrors").EnumerateArray().Select(e => e.GetProperty("errorId").GetString()).ToList();
        Assert.Equal(["in-incognito"], reasons);
        var subscriptions = await GetJsonAsync("/v1/push/subscriptions");
        Assert.Equal(pushEndpoint, Assert.Single(subscriptions.GetProperty("subscriptions").EnumerateArray()).GetProperty("endpoint").GetString());
        await SendAsync(new { name = "deploy finished", avatar = "🚀", notify = true });
        var push = await _receiver.WaitForAsync(r => r.Path == "/push/device-1", TimeSpan.FromSeconds(10));
        Assert.Equal("aes128gcm", push.Headers["Content-Encoding"]);
        Assert.StartsWith("vapid t=", push.Headers["Authorization"], StringComparison.Ordinal);
        await Shot(page, "settings", "desktop");

        // Another project: created here, switched to from its row, and back with the header's picker.
        await page.GetByLabel("New project name").FillAsync("Shop");
        await page.GetByLabel("Id (optional)").FillAsync("shop");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create project" }).ClickAsync();
        await Expect(page.GetByText("Project Shop created.", new() { Exact = false })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Switch" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "API keys of shop" })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Project", new() { Exact = true })).ToHaveValueAsync("shop");
        await page.GetByLabel("Project", new() { Exact = true }).SelectOptionAsync("default");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "API keys of default" })).ToBeVisibleAsync();

        // The remaining pages, for the screenshots and to see they render without errors.
        await page.GetByRole(AriaRole.Link, new() { Name = "Alerts" }).ClickAsync();
        await Expect(page.GetByText("No open alerts. All quiet.")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "All", Exact = true }).ClickAsync();
        await Expect(page.Locator(".row .title").Filter(new() { HasText = "Failed payments" })).ToBeVisibleAsync();
        await Shot(page, "alerts", "desktop");
        await page.GetByRole(AriaRole.Link, new() { Name = "Charts" }).ClickAsync();
        await Expect(page.Locator("figure.chart .plot canvas")).ToHaveCountAsync(1); // uPlot, from the gateway
        await Shot(page, "charts", "desktop");

        // A job check: created with its schedule and the webhook, pinged by curl as a crontab line
        // would, its failed run shown with its exit status and output, and the alert at the webhook.
        await page.GetByRole(AriaRole.Link, new() { Name = "Checks" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "New check" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Nightly backup");
        await page.GetByLabel("Or on schedule (cron)").FillAsync("0 3 * * *");
        await page.GetByLabel("Time zone").FillAsync("Europe/Berlin");
        await page.GetByLabel("Grace (seconds)").FillAsync("600");
        await page.GetByLabel("A run must finish within (seconds)").FillAsync("1800");
        await page.GetByLabel("Ops webhook (webhook)").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create check" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Nightly backup" })).ToBeVisibleAsync();
        await Expect(page.Locator(".summary-grid .status")).ToHaveTextAsync("new");
        var cronLine = await page.GetByLabel("crontab (start, then the exit status and the log)").TextContentAsync();
        var pingUrl = System.Text.RegularExpressions.Regex.Match(cronLine!, @"(http://\S+/ping/[0-9a-f-]{36})/start").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(pingUrl), cronLine);
        Assert.Contains($"--data-binary @/tmp/job.log {pingUrl}/$?", cronLine, StringComparison.Ordinal);
        await Expect(page.GetByLabel("systemd service")).ToContainTextAsync($"{pingUrl}/${{EXIT_STATUS}}");
        await Expect(page.GetByLabel("PowerShell")).ToContainTextAsync($"{pingUrl}/$LASTEXITCODE");
        await CurlPingAsync(pingUrl + "/start", null);
        await CurlPingAsync(pingUrl + "/3", "pg_dump: error: connection to server failed: Connection refused");
        var alert = await _receiver.WaitForAsync(r => r.Path == "/hook" && Encoding.UTF8.GetString(r.Body).Contains("alert.triggered", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        Assert.Contains("Connection refused", Encoding.UTF8.GetString(alert.Body), StringComparison.Ordinal);
        await page.ReloadAsync();
        await Expect(page.Locator(".summary-grid .status")).ToHaveTextAsync("down");
        await Expect(page.GetByText("failed (exit 3)")).ToBeVisibleAsync();
        await Expect(page.Locator(".run-output").Filter(new() { HasText = "Connection refused" })).ToBeVisibleAsync();
        await Expect(page.Locator(".run-strip .run-fail")).ToHaveCountAsync(1);
        await Shot(page, "check", "desktop");
        await SeedChecksAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "← Checks" }).ClickAsync();
        await Expect(page.Locator(".run-strip .run-bar")).ToHaveCountAsync(1 + 12 + 1);
        await Expect(page.Locator(".row .status").Filter(new() { HasText = "down" })).ToBeVisibleAsync();
        await Shot(page, "checks", "desktop");
        await page.GetByRole(AriaRole.Link, new() { Name = "Nightly backup" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
        await Expect(page.Locator(".summary-grid .status")).ToHaveTextAsync("paused");

        // Its failure alert, acknowledged from the alerts page; and a Sunday maintenance window for the leads rule.
        await page.GetByRole(AriaRole.Link, new() { Name = "Alerts" }).ClickAsync();
        var failedRun = page.Locator(".row").Filter(new() { HasText = "Nightly backup" });
        await failedRun.GetByRole(AriaRole.Button, new() { Name = "Acknowledge" }).ClickAsync();
        await Expect(page.Locator(".row").Filter(new() { HasText = "Nightly backup" }).GetByText("acknowledged by operator:admin")).ToBeVisibleAsync();
        await page.Locator("select[name=ruleId]").SelectOptionAsync(new SelectOptionValue { Label = "Leads per campaign group" });
        await page.GetByLabel("Time zone").FillAsync("Europe/Berlin");
        await page.GetByLabel("Why").FillAsync("Sunday maintenance");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add window" }).ClickAsync();
        await Expect(page.GetByText("every “0 2 * * 0” Europe/Berlin for 60 min")).ToBeVisibleAsync();
        await Shot(page, "alerts-acknowledged", "desktop");

        Assert.Empty(consoleErrors);
        await PhoneScreenshotsAsync(runId, paymentId);
    }

    [Fact]
    public async Task Users_insights_and_charts_show_what_apps_sent_through_LogSnags_api()
    {
        // What an app moving from LogSnag sends: logs with user ids, identify, insights set and incremented.
        string[] plans = ["premium", "free", "free"];
        for (var u = 0; u < 3; u++)
        {
            for (var i = 0; i <= u; i++)
            {
                await IngestAsync(HttpMethod.Post, "/v1/log", new { project = "my-saas", channel = i == 0 ? "signups" : "billing", @event = i == 0 ? "User Joined" : "Invoice Paid",
                    icon = i == 0 ? "🎉" : ":moneybag:", user_id = $"user_{u + 1}", tags = new { plan = plans[u] } });
            }

            await IngestAsync(HttpMethod.Post, "/v1/identify", new { project = "my-saas", user_id = $"user_{u + 1}", properties = new { name = $"Customer {u + 1}", plan = plans[u] } });
        }

        await IngestAsync(HttpMethod.Post, "/v1/insight", new { project = "my-saas", title = "MRR", value = 1200, icon = "💵" });
        foreach (var step in new[] { 30, 45, -20, 60, 80 })
        {
            await IngestAsync(HttpMethod.Patch, "/v1/insight", new { project = "my-saas", title = "MRR", value = new Dictionary<string, int> { ["$inc"] = step } });
        }

        await IngestAsync(HttpMethod.Post, "/v1/insight", new { project = "my-saas", title = "Status", value = "all systems go", icon = "🟢" });
        // Imports with their durations per customer, for the metrics page; one customer's are slow.
        var random = new Random(3);
        var now = DateTimeOffset.UtcNow;
        var imports = Enumerable.Range(0, 600).Select(i => new
        {
            name = "import finished",
            timestamp = now.AddHours(-(i / 6 % 24)).AddMinutes(-random.Next(50)), // every customer every hour of the day: the chart has a course
            tags = new Dictionary<string, object> { ["customer"] = $"customer-{i % 6}", ["durationMs"] = Math.Round((i % 6 == 2 ? 4 : 1) * Math.Exp(7 + random.NextDouble())) },
        });
        await IngestAsync(HttpMethod.Post, "/v1/events/batch", new { events = imports });
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while ((await GetJsonAsync("/v1/metrics/catalog")).GetProperty("metrics").GetArrayLength() == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200); // folded into the rollups within about a second
        }

        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = Chromium.Desktop, BaseURL = _host.Address.ToString() });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        // A CSP refusal shows as a console error; the 401 before signing in is an expected failed load, checked by status instead.
        page.Console += (_, message) => { if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal)) errors.Add(message.Text); };
        page.PageError += (_, error) => errors.Add(error);
        page.Response += (_, response) => { if (response.Status >= 500) errors.Add($"{response.Status} from {response.Url}"); };
        await page.GotoAsync("/");
        await page.GetByLabel("Username").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Live" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Users" }).ClickAsync();
        var users = page.GetByRole(AriaRole.Table, new() { Name = "Users" });
        await Expect(users.GetByRole(AriaRole.Link)).ToHaveCountAsync(3);
        await Shot(page, "users", "desktop");
        await page.GetByLabel("Property").FillAsync("plan:premium");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(users.GetByRole(AriaRole.Link)).ToHaveCountAsync(1);
        await users.GetByRole(AriaRole.Link, new() { Name = "user_1" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "user_1" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Properties" }).GetByText("Customer 1")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.List, new() { Name = "Journey, newest first" }).GetByText("User Joined")).ToBeVisibleAsync();
        await Shot(page, "user", "desktop");

        await page.GetByRole(AriaRole.Link, new() { Name = "Insights" }).ClickAsync();
        var mrr = page.GetByRole(AriaRole.List, new() { Name = "Insights" }).GetByRole(AriaRole.Listitem).Filter(new() { HasText = "MRR" });
        await Expect(mrr.GetByText("1,395")).ToBeVisibleAsync();
        await Expect(mrr.GetByText("+195 over the last 6 values")).ToBeVisibleAsync();
        await Expect(mrr.Locator(".sparkline canvas")).ToHaveCountAsync(1); // drawn by uPlot, served by the gateway
        await Shot(page, "insights", "desktop");

        await page.GetByRole(AriaRole.Link, new() { Name = "Metrics" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Combobox, new() { Name = "Per", Exact = true })).ToHaveValueAsync("customer");
        var perCustomer = page.GetByRole(AriaRole.Table, new() { Name = "Per customer" });
        await Expect(perCustomer.GetByRole(AriaRole.Row)).ToHaveCountAsync(8); // header, all events, six customers
        await Expect(perCustomer.GetByRole(AriaRole.Cell, new() { Name = "customer-2", Exact = true })).ToBeVisibleAsync();
        await Expect(page.Locator(".plot canvas")).ToHaveCountAsync(1);
        await Shot(page, "metrics", "desktop");

        // A saved metric: only one customer's imports, from the form, measured from its creation on.
        await page.GetByRole(AriaRole.Link, new() { Name = "Save a metric" }).ClickAsync();
        await page.GetByLabel("Title").FillAsync("Slow customer imports");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save metric" }).ClickAsync();
        await Expect(page.GetByText("is required: a numeric tag")).ToBeVisibleAsync(); // the API's message, next to its field
        await page.GetByLabel("Numeric tag").FillAsync("durationMs");
        await page.GetByLabel("Per value of tag").FillAsync("customer");
        await page.GetByLabel("Event name").FillAsync("import finished");
        await page.GetByLabel("Tags (key=value, one per line)").FillAsync("customer=customer-2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save metric" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("metric=slow-customer-imports"));
        var later = Enumerable.Range(0, 12).Select(i => new
        {
            name = "import finished",
            tags = new Dictionary<string, object> { ["customer"] = $"customer-{i % 3}", ["durationMs"] = 1000 + i },
        });
        await IngestAsync(HttpMethod.Post, "/v1/events/batch", new { events = later });
        deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while ((await GetJsonAsync("/v1/metrics?metric=slow-customer-imports")).GetProperty("all").GetProperty("count").GetInt64() < 4 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        await page.ReloadAsync();
        await Expect(page.GetByText("“Slow customer imports” (“import finished”, customer = customer-2)")).ToBeVisibleAsync();
        await Expect(perCustomer.GetByRole(AriaRole.Row)).ToHaveCountAsync(3); // header, all events, customer-2
        await Expect(perCustomer.GetByRole(AriaRole.Cell, new() { Name = "4", Exact = true }).First).ToBeVisibleAsync();
        await Shot(page, "saved-metric", "desktop");

        await page.GetByRole(AriaRole.Link, new() { Name = "Charts" }).ClickAsync();
        await Expect(page.Locator(".plot canvas")).ToHaveCountAsync(1);
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "billing" })).ToBeVisibleAsync(); // (the other test takes the charts screenshot)

        await page.SetViewportSizeAsync(Chromium.Phone.Width, Chromium.Phone.Height);
        foreach (var (path, name) in new[] { ("/users", "users"), ("/users/user_3", "user"), ("/insights", "insights"), ("/metrics", "metrics") })
        {
            await page.GotoAsync(path);
            await Expect(page.Locator("main h1").First).ToBeVisibleAsync();
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), $"{path} scrolls sideways at 390 px");
            await Shot(page, name, "phone");
        }

        Assert.Empty(errors);
    }

    private async Task IngestAsync(HttpMethod method, string path, object body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", IngestKey);
        using var response = await _api.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The main pages at 390 px, signed in afresh in a phone-sized context.</summary>
    private async Task PhoneScreenshotsAsync(string runId, string paymentId)
    {
        await using var phone = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = Chromium.Phone, IsMobile = true, HasTouch = true, BaseURL = _host.Address.ToString(),
        });
        var page = await phone.NewPageAsync();
        await page.GotoAsync("/");
        await page.GetByLabel("Username").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "nightly backup finished" })).ToBeVisibleAsync();
        // Nothing may be wider than the screen: a sideways scroll on a phone is a layout bug.
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the feed scrolls sideways at 390 px");
        await Shot(page, "feed", "phone");
        foreach (var (path, name) in new[] { ($"/contexts/{runId}", "context"), ($"/events/{paymentId}", "event"), ("/rules/new", "rule"), ("/channels", "channels"), ("/alerts", "alerts"), ("/checks", "checks"), ("/charts", "charts"), ("/settings", "settings") })
        {
            await page.GotoAsync(path);
            await Expect(page.Locator("main h1").First).ToBeVisibleAsync();
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), $"{path} scrolls sideways at 390 px");
            await Shot(page, name, "phone");
        }
    }

    /// <summary>A few events of different kinds so the feed, alerts and charts show what they are for.</summary>
    private async Task SeedFeedAsync()
    {
        using var rule = await PostAsync("/v1/rules", new { name = "Failed payments", kind = "match", match = new { name = new { equals = "payment failed" } } });
        rule.EnsureSuccessStatusCode();
        await SendAsync(new { name = "user signed up", avatar = "🎉", category = "signups", userId = "user-812", tags = new Dictionary<string, object> { ["plan"] = "pro", ["campaignGroup"] = "B" }, content = "ana@example.com chose Pro (annual)" });
        await SendAsync(new { name = "lead created", avatar = "🧲", category = "leads", tags = new Dictionary<string, object> { ["campaignGroup"] = "A" }, type = "json", content = new { source = "landing-page", utm = new { campaign = "winter", medium = "cpc" }, score = 72 } });
        await SendAsync(new
        {
            name = "payment failed", avatar = "💳", category = "billing", level = "error", userId = "user-377",
            tags = new Dictionary<string, object> { ["amount"] = 49.0, ["currency"] = "EUR" },
            content = "Card declined (insufficient funds) for invoice INV-2026-0412",
            actions = new[] { new { key = "retry", buttonText = "Retry charge", url = new Uri(_receiver.Address, "/actions/retry").ToString() } },
        });
    }

    private async Task CurlAsync(object body)
    {
        // Literally curl, as an app's shell script would send it.
        var start = new ProcessStartInfo("curl")
        {
            ArgumentList =
            {
                "-sS", "--fail-with-body", "-X", "POST", new Uri(_host.Address, "/v1/events").ToString(),
                "-H", $"Authorization: Bearer {IngestKey}", "-H", "Content-Type: application/json", "--data", JsonSerializer.Serialize(body),
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var curl = Process.Start(start)!;
        var output = await curl.StandardOutput.ReadToEndAsync();
        await curl.WaitForExitAsync();
        Assert.True(curl.ExitCode == 0, $"curl failed: {output} {await curl.StandardError.ReadToEndAsync()}");
    }

    /// <summary>Two more checks with some history, so the checks page shows what its strips are for.</summary>
    private async Task SeedChecksAsync()
    {
        using var import = await PostAsync("/v1/checks", new { name = "Hourly import", periodSeconds = 3600, graceSeconds = 300, tags = new[] { "etl" } });
        var importUrl = JsonDocument.Parse(await import.Content.ReadAsStringAsync()).RootElement.GetProperty("pingUrl").GetString()!;
        for (var run = 0; run < 12; run++)
        {
            (await _api.GetAsync($"{importUrl}/start")).EnsureSuccessStatusCode();
            await Task.Delay(20 + (run * 37 % 110));
            (await _api.PostAsync($"{importUrl}/{(run == 8 ? 1 : 0)}", new StringContent($"imported {1000 + run * 17} rows"))).EnsureSuccessStatusCode();
        }

        using var certificates = await PostAsync("/v1/checks", new { name = "Certificate renewal", cron = "30 4 * * 1", timeZone = "Europe/Berlin", graceSeconds = 3600 });
        var certificatesUrl = JsonDocument.Parse(await certificates.Content.ReadAsStringAsync()).RootElement.GetProperty("pingUrl").GetString()!;
        (await _api.PostAsync(certificatesUrl, new StringContent("no certificates due for renewal"))).EnsureSuccessStatusCode();
    }

    /// <summary>A ping exactly as a crontab line sends it: curl, the output as the body.</summary>
    private static async Task CurlPingAsync(string url, string? output)
    {
        var start = new ProcessStartInfo("curl") { ArgumentList = { "-fsS", "-m", "10", "--retry", "3" }, RedirectStandardOutput = true, RedirectStandardError = true };
        if (output is not null)
        {
            start.ArgumentList.Add("--data-binary");
            start.ArgumentList.Add(output);
        }

        start.ArgumentList.Add(url);
        using var curl = Process.Start(start)!;
        var answer = await curl.StandardOutput.ReadToEndAsync();
        await curl.WaitForExitAsync();
        Assert.True(curl.ExitCode == 0 && answer == "OK", $"curl {url}: {answer} {await curl.StandardError.ReadToEndAsync()}");
    }

    private async Task SendAsync(object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events") { Content = JsonContent(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", IngestKey);
        using var response = await _api.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<HttpResponseMessage> PostAsync(string path, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return await _api.SendAsync(request);
    }

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        using var response = await _api.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<string> FirstEventIdAsync(string name) =>
        (await GetJsonAsync($"/v1/events?name={Uri.EscapeDataString(name)}")).GetProperty("events")[0].GetProperty("id").GetString()!;

    private static StringContent JsonContent(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private async Task Shot(IPage page, string name, string size)
    {
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        // The arrival highlight and passing toasts would make every run's pictures differ. (Not through
        // the screenshot's Style option: that injects an inline style, which the page's CSP refuses.)
        await page.EvaluateAsync("() => { document.querySelectorAll('.toast').forEach((t) => t.remove()); document.getAnimations().forEach((a) => a.finish()); }");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(_screenshots, $"{name}-{size}.png") });
    }

    /// <summary>A device's P-256 key and auth secret, as a browser makes them for a push subscription.</summary>
    private static (string P256dh, string Auth) DeviceKeys()
    {
        using var device = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var point = device.ExportParameters(false).Q;
        return (Base64Url.EncodeToString([0x04, .. point.X!, .. point.Y!]), Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)));
    }

    private static string PushServiceStandIn(string endpoint, string p256dh, string auth) => $$"""
        (() => {
          if (!("PushManager" in self)) return;
          let current = null;
          PushManager.prototype.subscribe = async function (options) {
            const key = options && options.applicationServerKey;
            if (!key) throw new DOMException("applicationServerKey is required", "InvalidAccessError");
            self.__applicationServerKeyLength = key.byteLength;
            const json = { endpoint: {{JsonSerializer.Serialize(endpoint)}}, expirationTime: null, keys: { p256dh: "{{p256dh}}", auth: "{{auth}}" } };
            current = { endpoint: json.endpoint, expirationTime: null, options, toJSON: () => json, getKey: () => null, unsubscribe: async () => { current = null; return true; } };
            return current;
          };
          PushManager.prototype.getSubscription = async function () { return current; };
        })();
        """;
}
