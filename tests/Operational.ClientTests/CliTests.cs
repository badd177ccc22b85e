using System.Diagnostics;
using System.Text.Json;
using Operational.TestSupport;

namespace Operational.ClientTests;

/// <summary>The standalone host as its own process, and the ops tool packed and installed from the packed folder: once for all the CLI tests.</summary>
public sealed class CliFixture : IAsyncLifetime
{
    public const string AdminKey = "op_admin_cli-tests-0123456789abcdef";
    public const string IngestKey = "op_ingest_cli-tests-0123456789abcdef";

    private readonly TempDirectory _data = new("operational-cli");

    public TempDirectory Tool { get; } = new("operational-cli-tool");

    public ServiceProcess Host { get; private set; } = null!;

    public string Ops { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        Host = await ServiceProcess.StartAsync("standalone", "compose/Operational.Standalone", "Operational.Standalone", new Dictionary<string, string>
        {
            ["Storage__Sqlite__DataDirectory"] = _data.Path,
            ["Bootstrap__AdminKey"] = AdminKey,
            ["Bootstrap__IngestKey"] = IngestKey,
        });
        var feed = Path.Combine(Tool.Path, "feed");
        var tools = Path.Combine(Tool.Path, "tools");
        await DotnetAsync("pack", Path.Combine(RepositoryPaths.Root, "clients", "Operational.Cli"), "-c", "Release", "-o", feed, "-nologo");
        await DotnetAsync("tool", "install", "Operational.Cli", "--tool-path", tools, "--add-source", feed);
        Ops = Path.Combine(tools, "ops");
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _data.Dispose();
        Tool.Dispose();
    }

    private static async Task DotnetAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} failed: {await output} {await errors}");
    }
}

/// <summary>
/// The <c>ops</c> tool as users get it: packed, installed with <c>dotnet tool install --tool-path</c>
/// from the packed folder, and run as a process against the standalone host running as its own.
/// Each test names its own events, rules and checks: they share one host.
/// </summary>
public sealed class CliTests(CliFixture fixture) : IClassFixture<CliFixture>
{
    private const string AdminKey = CliFixture.AdminKey;
    private const string IngestKey = CliFixture.IngestKey;

    private readonly ServiceProcess _host = fixture.Host;
    private readonly string _ops = fixture.Ops;

    [Fact]
    public async Task Ops_run_wraps_a_failing_command_as_a_failed_context_with_its_output_and_duration()
    {
        var run = await OpsAsync(_host.Address.ToString(), "run", "nightly backup", "--", "sh", "-c", "echo out; echo err >&2; sleep 0.3; exit 3");

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("out", run.Stdout, StringComparison.Ordinal); // the command's output still reaches the terminal
        Assert.Contains("err", run.Stderr, StringComparison.Ordinal);
        using var http = new HttpClient { BaseAddress = _host.Address };
        var api = new OperationalClient(http);
        var contexts = await api.WaitForJsonAsync(AdminKey, "/v1/contexts?status=failed",
            c => c.GetProperty("contexts").EnumerateArray().Any(x => x.GetProperty("title").GetString() == "nightly backup"), TimeSpan.FromSeconds(10));
        var context = contexts.GetProperty("contexts").EnumerateArray().First(x => x.GetProperty("title").GetString() == "nightly backup");
        Assert.True(context.GetProperty("durationMs").GetInt64() >= 300);
        var detail = await api.GetJsonAsync(AdminKey, $"/v1/contexts/{context.GetProperty("contextId").GetString()}");
        var end = detail.GetProperty("events").EnumerateArray().Last();
        Assert.Equal(3, end.GetProperty("tags").GetProperty("exitStatus").GetInt32());
        Assert.True(end.GetProperty("tags").GetProperty("durationMs").GetInt64() >= 300);
        Assert.Contains("out", end.GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.Contains("err", end.GetProperty("content").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ops_run_without_a_reachable_server_still_runs_the_command_and_keeps_its_exit_status()
    {
        var nowhere = $"http://127.0.0.1:{FreePort.Next()}";
        var clock = Stopwatch.StartNew();

        var run = await OpsAsync(nowhere, "run", "nightly backup", "--", "sh", "-c", "echo still ran; exit 3");

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("still ran", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("ops: could not record", run.Stderr, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"ops took {clock.Elapsed} around a command of no time");
    }

    [Fact]
    public async Task Ops_send_sends_one_event_and_prints_its_id()
    {
        var sent = await OpsAsync(_host.Address.ToString(), "send", "deploy finished", "--category", "deploys", "--tag", "env=prod", "--content", "v1.2.3");

        Assert.Equal(0, sent.ExitCode);
        using var http = new HttpClient { BaseAddress = _host.Address };
        var stored = await new OperationalClient(http).WaitForEventAsync(AdminKey, sent.Stdout.Trim(), TimeSpan.FromSeconds(10));
        Assert.Equal(("deploys", "prod", "v1.2.3"), (stored.GetProperty("category").GetString(), stored.GetProperty("tags").GetProperty("env").GetString(), stored.GetProperty("content").GetString()));
    }

    [Fact]
    public async Task Ops_tail_prints_an_event_sent_meanwhile()
    {
        var start = new ProcessStartInfo(_ops) { RedirectStandardOutput = true, RedirectStandardError = true, ArgumentList = { "tail" } };
        start.Environment["XDG_CONFIG_HOME"] = ConfigHome;
        start.Environment["OPERATIONAL_URL"] = _host.Address.ToString();
        start.Environment["OPERATIONAL_KEY"] = AdminKey;
        using var tail = Process.Start(start)!;
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        tail.OutputDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        tail.BeginOutputReadLine();
        try
        {
            await Task.Delay(1500); // the stream is open
            var name = "tail " + Guid.NewGuid().ToString("N")[..8];
            var sent = await OpsAsync(_host.Address.ToString(), "send", name, "--category", "deploys");
            Assert.Equal(0, sent.ExitCode);

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (!lines.Any(l => l.Contains(name, StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            var line = Assert.Single(lines, l => l.Contains(name, StringComparison.Ordinal));
            Assert.Contains("#deploys", line, StringComparison.Ordinal);
            Assert.DoesNotContain("\u001b[", line, StringComparison.Ordinal); // plain when not a terminal
        }
        finally
        {
            tail.Kill();
        }
    }

    [Fact]
    public async Task Ops_login_keeps_the_address_and_key_readable_by_its_owner_only_and_later_commands_use_them()
    {
        using var home = new TempDirectory("operational-cli-login");
        var bare = new Dictionary<string, string?> { ["XDG_CONFIG_HOME"] = home.Path };
        var file = Path.Combine(home.Path, "operational", "config.json");

        var refused = await OpsWithAsync(bare, "login", "--url", _host.Address.ToString(), "--key", "op_admin_not-a-key-0123456789abcdef");
        Assert.Equal(1, refused.ExitCode);
        Assert.False(File.Exists(file), "a key the server refused was saved");

        var login = await OpsWithAsync(bare, "login", "--url", _host.Address.ToString(), "--key", IngestKey);
        Assert.True(login.ExitCode == 0, login.Stderr);
        Assert.Contains("cannot read", login.Stdout, StringComparison.Ordinal); // an ingest key: said, not refused
        if (!OperatingSystem.IsWindows()) // the suite runs on Linux; the guard is for the analyzer
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(file)!));
        }

        var name = "after login " + Guid.NewGuid().ToString("N")[..8];
        var sent = await OpsWithAsync(bare, "send", name);
        Assert.True(sent.ExitCode == 0, sent.Stderr);
        using var http = new HttpClient { BaseAddress = _host.Address };
        Assert.Equal(name, (await new OperationalClient(http).WaitForEventAsync(AdminKey, sent.Stdout.Trim(), TimeSpan.FromSeconds(10))).GetProperty("name").GetString());

        Assert.Equal(0, (await OpsWithAsync(bare, "logout")).ExitCode);
        Assert.False(File.Exists(file));
        var after = await OpsWithAsync(bare, "send", name);
        Assert.Equal(2, after.ExitCode);
        Assert.Contains("ops login", after.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ops_lists_events_contexts_checks_and_rules_tab_separated_when_piped_and_as_json()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var job = $"report {tag}";
        Assert.Equal(0, (await OpsAsync(_host.Address.ToString(), "run", job, "--", "true")).ExitCode);
        using var http = new HttpClient { BaseAddress = _host.Address };
        var api = new OperationalClient(http);
        var check = await api.PostAsync(AdminKey, "/v1/checks", $$"""{"name": "backup {{tag}}", "periodSeconds": 3600}""");
        Assert.Equal(System.Net.HttpStatusCode.Created, check.StatusCode);
        var rule = await api.PostAsync(AdminKey, "/v1/rules", $$$"""{"name": "errors {{{tag}}}", "kind": "match", "match": {"level": "error"}}""");
        Assert.Equal(System.Net.HttpStatusCode.Created, rule.StatusCode);
        await api.WaitForJsonAsync(AdminKey, $"/v1/contexts?q={Uri.EscapeDataString(job)}", c => c.GetProperty("contexts").GetArrayLength() == 1, TimeSpan.FromSeconds(10));

        var events = await OpsAsAdminAsync("events", "--category", "jobs", "--since", "10m");
        Assert.True(events.ExitCode == 0, events.Stderr);
        Assert.Contains(job, Column(events.Stdout, "NAME").Select(n => n.Split(' ', 2)[1]));
        Assert.Contains($"{job} succeeded", Column(events.Stdout, "NAME").Select(n => n.Split(' ', 2)[1]));

        var contexts = await OpsAsAdminAsync("contexts", "--status", "completed", "--q", job);
        Assert.Equal(["completed"], Column(contexts.Stdout, "STATUS"));
        Assert.Equal(["2"], Column(contexts.Stdout, "EVENTS"));

        var json = await OpsAsAdminAsync("contexts", "--q", job, "--json");
        Assert.Equal(job, JsonDocument.Parse(json.Stdout).RootElement[0].GetProperty("title").GetString());

        var checks = await OpsAsAdminAsync("checks");
        Assert.Contains($"backup-{tag}", Column(checks.Stdout, "SLUG"));
        var rules = await OpsAsAdminAsync("rules");
        Assert.Contains($"errors {tag}", Column(rules.Stdout, "NAME"));

        var limited = await OpsAsAdminAsync("events", "--limit", "1", "--json");
        Assert.Equal(1, JsonDocument.Parse(limited.Stdout).RootElement.GetArrayLength());
        var refused = await OpsAsync(_host.Address.ToString(), "events"); // an ingest key cannot read
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("403", refused.Stderr, StringComparison.Ordinal);
        var wrong = await OpsAsAdminAsync("events", "--since", "yesterday-ish");
        Assert.Equal(2, wrong.ExitCode);
    }

    [Fact]
    public async Task Ops_lists_users_by_property_and_the_insights()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        using var http = new HttpClient { BaseAddress = _host.Address };
        var api = new OperationalClient(http);
        Assert.True((await api.PostAsync(IngestKey, $"/v1/users/ana-{tag}", $$$"""{"properties": {"plan": "pro-{{{tag}}}"}}""")).IsSuccessStatusCode);
        Assert.True((await api.PostAsync(IngestKey, "/v1/insights", $$"""{"title": "MRR {{tag}}", "value": 1200, "icon": "💵"}""")).IsSuccessStatusCode);

        var users = await OpsAsAdminAsync("users", "--property", $"plan:pro-{tag}");
        Assert.True(users.ExitCode == 0, users.Stderr);
        Assert.Equal([$"ana-{tag}"], Column(users.Stdout, "USER"));
        var insights = await OpsAsAdminAsync("insights");
        var row = Array.IndexOf(Column(insights.Stdout, "INSIGHT"), $"💵 MRR {tag}");
        Assert.True(row >= 0, insights.Stdout);
        Assert.Equal("1200", Column(insights.Stdout, "VALUE")[row]);
    }

    [Fact]
    public async Task Ops_metrics_prints_a_numeric_tags_percentiles_per_group_and_those_of_a_saved_metric()
    {
        var name = "import " + Guid.NewGuid().ToString("N")[..8];
        using var http = new HttpClient { BaseAddress = _host.Address };
        var api = new OperationalClient(http);
        var key = "globex-" + name[7..];
        Assert.True((await api.PostAsync(AdminKey, "/v1/metrics/saved",
            $$$"""{"key": "{{{key}}}", "field": "durationMs", "match": {"name": {"equals": "{{{name}}}"}, "tags": {"customer": "globex"} } }""")).IsSuccessStatusCode);
        var events = Enumerable.Range(1, 30).Select(i => new { name, tags = new Dictionary<string, object> { ["durationMs"] = i * 100, ["customer"] = i <= 20 ? "acme" : "globex" } });
        Assert.True((await api.PostAsync(IngestKey, "/v1/events/batch", JsonSerializer.Serialize(new { events }))).IsSuccessStatusCode);
        await api.WaitForJsonAsync(AdminKey, $"/v1/metrics?name={Uri.EscapeDataString(name)}&field=durationMs",
            m => m.GetProperty("all").GetProperty("count").GetInt64() == 30, TimeSpan.FromSeconds(15));

        var metrics = await OpsAsAdminAsync("metrics", name, "durationMs", "--by", "customer");

        Assert.True(metrics.ExitCode == 0, metrics.Stderr);
        Assert.Equal(["all", "acme", "globex"], Column(metrics.Stdout, "CUSTOMER"));
        Assert.Equal(["30", "20", "10"], Column(metrics.Stdout, "VALUES"));
        Assert.Equal(["3000", "2000", "3000"], Column(metrics.Stdout, "MAX"));
        var acmeP95 = double.Parse(Column(metrics.Stdout, "P95")[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(acmeP95, 1900 * 0.99, 1900 * 1.01); // the 19th of 20: 1,900 ms, within the sketch's 1%
        Assert.Equal(1, (await OpsAsAdminAsync("metrics", name, "bad key!")).ExitCode); // the API's 400, said on stderr

        await api.WaitForJsonAsync(AdminKey, $"/v1/metrics?metric={key}", m => m.GetProperty("all").GetProperty("count").GetInt64() == 10, TimeSpan.FromSeconds(15));
        var saved = await OpsAsAdminAsync("metrics", "--saved", key);
        Assert.True(saved.ExitCode == 0, saved.Stderr);
        Assert.Equal(["all"], Column(saved.Stdout, "EVENTS"));
        Assert.Equal(["10"], Column(saved.Stdout, "VALUES"));
        Assert.Equal(["3000"], Column(saved.Stdout, "MAX"));
        var neither = await OpsAsAdminAsync("metrics");
        Assert.Equal(2, neither.ExitCode);
        Assert.Contains("--saved", neither.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ops_alerts_lists_an_open_alert_acknowledges_it_and_silences_its_rule()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        using var http = new HttpClient { BaseAddress = _host.Address };
        var api = new OperationalClient(http);
        var created = await api.PostAsync(AdminKey, "/v1/rules",
            $$$"""{"name": "payments {{{tag}}}", "kind": "threshold", "match": {"name": {"equals": "payment failed {{{tag}}}"}}, "threshold": {"count": 1, "windowSeconds": 600}}""");
        var ruleId = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        Assert.Equal(0, (await OpsAsync(_host.Address.ToString(), "send", $"payment failed {tag}")).ExitCode);
        await api.WaitForJsonAsync(AdminKey, $"/v1/alerts?status=open&ruleId={ruleId}", a => a.GetProperty("alerts").GetArrayLength() == 1, TimeSpan.FromSeconds(10));

        var open = await OpsAsAdminAsync("alerts", "--status", "open", "--rule", ruleId);
        Assert.Equal([$"payments {tag}"], Column(open.Stdout, "RULE"));
        var alertId = Column(open.Stdout, "ID")[0];

        var ack = await OpsAsAdminAsync("alerts", "ack", alertId);
        Assert.True(ack.ExitCode == 0, ack.Stderr);
        Assert.Equal(["acknowledged"], Column((await OpsAsAdminAsync("alerts", "--rule", ruleId)).Stdout, "STATUS"));

        var silence = await OpsAsAdminAsync("alerts", "silence", alertId, "--for", "2h", "--comment", "fixing the provider");
        Assert.True(silence.ExitCode == 0, silence.Stderr);
        var silences = await api.GetJsonAsync(AdminKey, "/v1/silences");
        var made = Assert.Single(silences.GetProperty("silences").EnumerateArray(), s => s.GetProperty("ruleId").GetString() == ruleId);
        Assert.Equal("fixing the provider", made.GetProperty("comment").GetString());
        Assert.InRange(made.GetProperty("endsAt").GetDateTimeOffset() - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(115), TimeSpan.FromMinutes(121));

        Assert.Equal(1, (await OpsAsAdminAsync("alerts", "ack", "no-such-alert")).ExitCode);
        Assert.Equal(2, (await OpsAsAdminAsync("alerts", "silence", "--comment", "what?")).ExitCode); // nothing named to silence
    }

    [Fact]
    public async Task Ops_import_resumes_from_its_checkpoint_and_a_second_import_of_the_same_file_stores_nothing_twice()
    {
        using var folder = new TempDirectory("operational-cli-import");
        var tag = Guid.NewGuid().ToString("N")[..8];
        var file = Path.Combine(folder.Path, "orders.ndjson");
        await File.WriteAllLinesAsync(file, Enumerable.Range(0, 1200).Select(i => i == 7
            ? """{"name": "order placed", "colour": "red"}"""
            : $$"""{"name": "order placed", "category": "orders-{{tag}}", "tags": {"amount": {{i}}}, "timestamp": "2026-11-20T10:00:00Z"}"""));
        // As an import interrupted after its second batch of 500 leaves it:
        var info = new FileInfo(file);
        await File.WriteAllTextAsync(file + ".ops-import", $$"""{"record": 1000, "length": {{info.Length}}, "lastWrite": {{info.LastWriteTimeUtc.Ticks}}}""");

        var resumed = await OpsAsync(_host.Address.ToString(), "import", file);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains("resuming after record 1,000", resumed.Stderr, StringComparison.Ordinal);
        Assert.Contains("200 accepted, 0 already there, 0 invalid", resumed.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(file + ".ops-import"), "the checkpoint outlived a finished import");

        var again = await OpsAsync(_host.Address.ToString(), "import", file, "--batch-size", "250");
        Assert.Equal(1, again.ExitCode); // one invalid line
        Assert.Contains("999 accepted, 200 already there, 1 invalid", again.Stdout, StringComparison.Ordinal);
        Assert.Contains("record 8: unknown field 'colour'", again.Stderr, StringComparison.Ordinal);

        using var http = new HttpClient { BaseAddress = _host.Address };
        var api = new OperationalClient(http);
        // Accepted is durable, not yet stored: read until storage has caught up (or the time is up).
        var stored = new HashSet<long>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            stored.Clear();
            string? cursor = null;
            do
            {
                var page = await api.GetJsonAsync(AdminKey, $"/v1/events?category=orders-{tag}&limit=500" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"));
                foreach (var e in page.GetProperty("events").EnumerateArray())
                {
                    Assert.True(stored.Add(e.GetProperty("tags").GetProperty("amount").GetInt64()), "an event was stored twice");
                    Assert.True(e.GetProperty("backfilled").GetBoolean());
                }

                cursor = page.TryGetProperty("nextCursor", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
            }
            while (cursor is not null);
            if (stored.Count >= 1199 || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(200);
        }

        Assert.Equal(1199, stored.Count);
    }

    [Fact]
    public async Task Ops_import_reads_csv_columns_as_fields_and_the_other_columns_as_typed_tags()
    {
        using var folder = new TempDirectory("operational-cli-csv");
        var tag = Guid.NewGuid().ToString("N")[..8];
        var file = Path.Combine(folder.Path, "imports.csv");
        await File.WriteAllTextAsync(file, $"""
            name,category,timestamp,durationMs,customer,user_id,retried
            import finished,csv-{tag},2026-11-20T10:00:00Z,1530,acme,u1,false
            "import finished, late",csv-{tag},2026-11-20T11:00:00Z,2000.5,"Globex, Inc.",u2,true
            ,csv-{tag},2026-11-20T12:00:00Z,1,acme,u1,false

            """);

        var import = await OpsAsync(_host.Address.ToString(), "import", file);
        Assert.Equal(1, import.ExitCode);
        Assert.Contains("2 accepted, 0 already there, 1 invalid", import.Stdout, StringComparison.Ordinal);
        Assert.Contains("record 3: name", import.Stderr, StringComparison.Ordinal);

        using var http = new HttpClient { BaseAddress = _host.Address };
        var events = await new OperationalClient(http).WaitForJsonAsync(AdminKey, $"/v1/events?category=csv-{tag}", e => e.GetProperty("events").GetArrayLength() == 2, TimeSpan.FromSeconds(10));
        var late = events.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("name").GetString() == "import finished, late");
        Assert.Equal(2000.5, late.GetProperty("tags").GetProperty("durationMs").GetDouble());
        Assert.Equal("Globex, Inc.", late.GetProperty("tags").GetProperty("customer").GetString());
        Assert.True(late.GetProperty("tags").GetProperty("retried").GetBoolean());
        Assert.Equal("u2", late.GetProperty("userId").GetString());
        Assert.Equal(DateTimeOffset.Parse("2026-11-20T11:00:00Z", System.Globalization.CultureInfo.InvariantCulture), late.GetProperty("timestamp").GetDateTimeOffset());
    }

    [Fact]
    public async Task Ops_run_with_a_check_pings_it_by_uuid_or_by_slug_and_times_a_command_out()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        using var http = new HttpClient { BaseAddress = _host.Address };
        var api = new OperationalClient(http);
        var created = JsonDocument.Parse(await (await api.PostAsync(AdminKey, "/v1/checks", $$"""{"name": "sync {{tag}}", "periodSeconds": 3600}""")).Content.ReadAsStringAsync()).RootElement;
        var (checkId, uuid) = (created.GetProperty("id").GetString()!, created.GetProperty("pingUrl").GetString()!["/ping/".Length..]);
        var keyAnswer = await api.PostAsync(AdminKey, "/v1/keys", """{"name": "cron", "scopes": ["ping"]}""");
        var pingKey = JsonDocument.Parse(await keyAnswer.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;

        var byUuid = await OpsAsync(_host.Address.ToString(), "run", uuid, "--", "sh", "-c", "echo synced 12 files; exit 0");
        Assert.True(byUuid.ExitCode == 0, byUuid.Stderr);
        var bySlug = await OpsWithAsync(new Dictionary<string, string?> { ["OPERATIONAL_URL"] = _host.Address.ToString(), ["OPERATIONAL_PING_KEY"] = pingKey },
            "run", $"sync-{tag}", "--", "sh", "-c", "echo disk full >&2; exit 4");
        Assert.Equal(4, bySlug.ExitCode);
        Assert.DoesNotContain("could not record", bySlug.Stderr, StringComparison.Ordinal);

        var runs = await api.WaitForJsonAsync(AdminKey, $"/v1/checks/{checkId}/runs", r => r.GetProperty("runs").GetArrayLength() == 2, TimeSpan.FromSeconds(10));
        var (failed, succeeded) = (runs.GetProperty("runs")[0], runs.GetProperty("runs")[1]);
        Assert.Equal(("fail", 4, "disk full\n"), (failed.GetProperty("outcome").GetString(), failed.GetProperty("exitStatus").GetInt32(), failed.GetProperty("output").GetString()));
        Assert.Equal(("success", 0, "synced 12 files\n"), (succeeded.GetProperty("outcome").GetString(), succeeded.GetProperty("exitStatus").GetInt32(), succeeded.GetProperty("output").GetString()));

        var clock = Stopwatch.StartNew();
        var slow = await OpsAsync(_host.Address.ToString(), "run", "--timeout", "1s", $"slow {tag}", "--", "sleep", "30");
        Assert.Equal(124, slow.ExitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"--timeout 1s took {clock.Elapsed}");
        Assert.Contains("--timeout", slow.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ops_completion_for_bash_completes_commands_and_options_from_the_installed_tool()
    {
        var script = await OpsAsAdminAsync("completion", "bash");
        Assert.Equal(0, script.ExitCode);
        using var folder = new TempDirectory("operational-cli-completion");
        var file = Path.Combine(folder.Path, "ops.bash");
        await File.WriteAllTextAsync(file, script.Stdout);
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($$"""source '{{file}}'; COMP_LINE='ops al'; COMP_POINT=6; _ops_complete; echo "${COMPREPLY[*]}"; COMP_LINE='ops alerts --st'; COMP_POINT=15; _ops_complete; echo "${COMPREPLY[*]}" """);
        start.Environment["PATH"] = Path.GetDirectoryName(_ops) + ":" + Environment.GetEnvironmentVariable("PATH");
        using var bash = Process.Start(start)!;
        var output = await bash.StandardOutput.ReadToEndAsync();
        await bash.WaitForExitAsync();
        Assert.Equal(["alerts", "--status"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> OpsAsync(string url, params string[] arguments) =>
        OpsWithAsync(new Dictionary<string, string?> { ["OPERATIONAL_URL"] = url, ["OPERATIONAL_KEY"] = IngestKey }, arguments);

    private Task<(int ExitCode, string Stdout, string Stderr)> OpsAsAdminAsync(params string[] arguments) =>
        OpsWithAsync(new Dictionary<string, string?> { ["OPERATIONAL_URL"] = _host.Address.ToString(), ["OPERATIONAL_KEY"] = AdminKey }, arguments);

    /// <summary>Runs the installed tool with this environment; its config folder is the test's own, never the user's.</summary>
    private async Task<(int ExitCode, string Stdout, string Stderr)> OpsWithAsync(IDictionary<string, string?> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(_ops) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["XDG_CONFIG_HOME"] = ConfigHome; // never the user's own
        start.Environment.Remove("OPERATIONAL_URL");
        start.Environment.Remove("OPERATIONAL_KEY");
        start.Environment.Remove("OPERATIONAL_PING_KEY");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }

    private string ConfigHome => Path.Combine(fixture.Tool.Path, "config");

    private static string[] Column(string tsv, string header)
    {
        var lines = tsv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var at = Array.IndexOf(lines[0].Split('\t'), header);
        Assert.True(at >= 0, $"no column {header} in: {lines[0]}");
        return lines.Skip(1).Select(l => l.Split('\t')[at]).ToArray();
    }
}
