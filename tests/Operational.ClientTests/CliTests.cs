using System.Diagnostics;
using System.Text.Json;
using Operational.TestSupport;

namespace Operational.ClientTests;

/// <summary>
/// The <c>ops</c> tool as users get it: packed, installed with <c>dotnet tool install --tool-path</c>
/// from the packed folder, and run as a process against the standalone host running as its own.
/// </summary>
public sealed class CliTests : IAsyncLifetime
{
    private const string AdminKey = "op_admin_cli-tests-0123456789abcdef";
    private const string IngestKey = "op_ingest_cli-tests-0123456789abcdef";

    private readonly TempDirectory _data = new("operational-cli");
    private readonly TempDirectory _tool = new("operational-cli-tool");
    private ServiceProcess _host = null!;
    private string _ops = "";

    public async ValueTask InitializeAsync()
    {
        _host = await ServiceProcess.StartAsync("standalone", "compose/Operational.Standalone", "Operational.Standalone", new Dictionary<string, string>
        {
            ["Storage__Sqlite__DataDirectory"] = _data.Path,
            ["Bootstrap__AdminKey"] = AdminKey,
            ["Bootstrap__IngestKey"] = IngestKey,
        });
        var feed = Path.Combine(_tool.Path, "feed");
        var tools = Path.Combine(_tool.Path, "tools");
        await DotnetAsync("pack", Path.Combine(RepositoryPaths.Root, "clients", "Operational.Cli"), "-c", "Release", "-o", feed, "-nologo");
        await DotnetAsync("tool", "install", "Operational.Cli", "--tool-path", tools, "--add-source", feed);
        _ops = Path.Combine(tools, "ops");
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        _data.Dispose();
        _tool.Dispose();
    }

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

    private async Task<(int ExitCode, string Stdout, string Stderr)> OpsAsync(string url, params string[] arguments)
    {
        var start = new ProcessStartInfo(_ops) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["OPERATIONAL_URL"] = url;
        start.Environment["OPERATIONAL_KEY"] = IngestKey;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
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
