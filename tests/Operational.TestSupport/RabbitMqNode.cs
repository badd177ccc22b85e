using System.Diagnostics;
using Xunit;

namespace Operational.TestSupport;

/// <summary>
/// The RabbitMQ node <c>tests/run.sh</c> started for this run (env <c>OPERATIONAL_TEST_RABBITMQ</c>,
/// <c>OPERATIONAL_TEST_RABBITMQCTL</c>). Each test class takes its own virtual host, so parallel
/// classes never see each other's messages.
/// </summary>
public sealed class RabbitMqNode
{
    public const string UriVariable = "OPERATIONAL_TEST_RABBITMQ";
    public const string CtlVariable = "OPERATIONAL_TEST_RABBITMQCTL";

    /// <summary>Set by tests/run.sh: a missing node is then a failure, never a skip.</summary>
    public const string RequireVariable = "OPERATIONAL_TEST_REQUIRE_RABBITMQ";

    internal RabbitMqNode(Uri uri, string ctl)
    {
        Uri = uri;
        CtlPath = ctl;
    }

    public Uri Uri { get; }

    public string CtlPath { get; }

    public string Host => Uri.Host;

    public int Port => Uri.Port;

    /// <summary>The node of this test run, or a skip (a failure under tests/run.sh) when there is none.</summary>
    public static RabbitMqNode FromEnvironment()
    {
        var uri = Environment.GetEnvironmentVariable(UriVariable);
        var ctl = Environment.GetEnvironmentVariable(CtlVariable);
        if (string.IsNullOrEmpty(uri) || string.IsNullOrEmpty(ctl))
        {
            const string why = "No RabbitMQ node: run the suite with tests/run.sh, which starts one (see README).";
            if (Environment.GetEnvironmentVariable(RequireVariable) == "1")
            {
                Assert.Fail(why);
            }

            Assert.Skip(why);
        }

        return new RabbitMqNode(new Uri(uri), ctl);
    }

    /// <summary>Creates a virtual host for one test class and grants the guest user on it.</summary>
    public async Task<string> CreateVirtualHostAsync(string purpose)
    {
        var name = $"{purpose}-{Guid.NewGuid():N}"[..Math.Min(purpose.Length + 9, 60)];
        await CtlAsync("add_vhost", name);
        await CtlAsync("set_permissions", "-p", name, "guest", ".*", ".*", ".*");
        return name;
    }

    public Task DeleteVirtualHostAsync(string name) => CtlAsync("delete_vhost", name);

    /// <summary>Message counts per queue in a virtual host.</summary>
    public Task<IReadOnlyDictionary<string, int>> QueueDepthsAsync(string virtualHost) => QueueColumnAsync(virtualHost, "messages");

    /// <summary>Consumers attached to each queue in a virtual host.</summary>
    public Task<IReadOnlyDictionary<string, int>> QueueConsumersAsync(string virtualHost) => QueueColumnAsync(virtualHost, "consumers");

    private async Task<IReadOnlyDictionary<string, int>> QueueColumnAsync(string virtualHost, string column)
    {
        var output = await CtlAsync("list_queues", "-q", "-p", virtualHost, "--no-table-headers", "name", column);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('\t', StringSplitOptions.TrimEntries))
            .Where(parts => parts.Length == 2 && int.TryParse(parts[1], out _))
            .ToDictionary(parts => parts[0], parts => int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    public Task<string> CtlAsync(params string[] args) => RunAsync(CtlPath, args);

    internal static async Task<string> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within 2 minutes: {await stderr}{await stdout}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {await stderr}{await stdout}");
        }

        return await stdout;
    }
}

/// <summary>
/// A RabbitMQ node of its own, for tests that stop and restart the broker: doing that to the
/// shared node would break every test running beside them.
/// </summary>
public sealed class PrivateRabbitMqNode : IAsyncDisposable
{
    private readonly string _directory;

    private PrivateRabbitMqNode(string directory, Uri uri)
    {
        _directory = directory;
        Node = new RabbitMqNode(uri, Path.Combine(directory, "ctl"));
    }

    /// <summary>The node, for everything but stopping and starting it.</summary>
    public RabbitMqNode Node { get; }

    public Uri Uri => Node.Uri;

    public static async Task<PrivateRabbitMqNode> StartAsync()
    {
        _ = RabbitMqNode.FromEnvironment(); // same skip/fail rule as the shared node
        var directory = Path.Combine(Path.GetTempPath(), $"operational-rabbit-{Guid.NewGuid():N}");
        var script = Path.Combine(RepositoryPaths.Root, "tests", "rabbitmq-node.sh");
        var output = await RabbitMqNode.RunAsync(script, "start", directory);
        var uri = output.Split('\n').Select(l => l.Trim())
            .First(l => l.StartsWith($"export {RabbitMqNode.UriVariable}=", StringComparison.Ordinal))
            .Split('=', 2)[1];
        return new PrivateRabbitMqNode(directory, new Uri(uri));
    }

    public Task StopAppAsync() => Node.CtlAsync("stop_app");

    public Task StartAppAsync() => Node.CtlAsync("start_app");

    /// <summary>kill -9 of the broker's process: no clean shutdown, no chance to flush anything.</summary>
    public Task KillAsync() => RabbitMqNode.RunAsync(Script, "kill", _directory);

    /// <summary>Starts the node again with what it had on disk, on the same port.</summary>
    public Task ResumeAsync() => RabbitMqNode.RunAsync(Script, "resume", _directory);

    private static string Script => Path.Combine(RepositoryPaths.Root, "tests", "rabbitmq-node.sh");

    public async ValueTask DisposeAsync()
    {
        var script = Path.Combine(RepositoryPaths.Root, "tests", "rabbitmq-node.sh");
        await RabbitMqNode.RunAsync(script, "stop", _directory);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
