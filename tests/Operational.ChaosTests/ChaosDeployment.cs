using System.Globalization;
using Operational.Contracts.Topology;
using Operational.TestSupport;

namespace Operational.ChaosTests;

/// <summary>
/// The distributed deployment the chaos tests break: the gateway and the storage, contexts, rules
/// and notifications services as separate processes, each with its own SQLite data, over a RabbitMQ
/// node of their own (the tests kill it). Every process keeps its address across restarts, as a
/// service behind a fixed name would, so a restarted one is found again by the others.
/// </summary>
public sealed class ChaosDeployment : IAsyncDisposable
{
    public const string AdminKey = "chaos-admin-key-0123456789abcdef";
    public const string IngestKey = "chaos-ingest-key-0123456789abcdef";
    private const string InternalSecret = "chaos-internal-secret-0123456789abcdef";

    private readonly TempDirectory _data = new("operational-chaos");
    private readonly Dictionary<string, ServiceProcess> _processes = [];

    private ChaosDeployment(PrivateRabbitMqNode broker) => Broker = broker;

    public PrivateRabbitMqNode Broker { get; }

    public string DataPath => _data.Path;

    public ServiceProcess this[string name] => _processes[name];

    public ServiceProcess Gateway => _processes["gateway"];

    /// <summary>The four services, in the order the chaos loop kills them.</summary>
    public static readonly IReadOnlyList<string> Services = ["storage", "contexts", "rules", "notifications"];

    /// <param name="storageData">Storage's data folder, when a test wants it somewhere special (a small tmpfs).</param>
    public static async Task<ChaosDeployment> StartAsync(string? storageData = null)
    {
        var deployment = new ChaosDeployment(await PrivateRabbitMqNode.StartAsync());
        try
        {
            await deployment.StartProcessesAsync(storageData);
            return deployment;
        }
        catch
        {
            await deployment.DisposeAsync();
            throw;
        }
    }

    private async Task StartProcessesAsync(string? storageData)
    {
        var common = new Dictionary<string, string>
        {
            ["Bus__Transport"] = "RabbitMq",
            ["Bus__RabbitMq__Host"] = Broker.Node.Host,
            ["Bus__RabbitMq__Port"] = Broker.Node.Port.ToString(CultureInfo.InvariantCulture),
            ["InternalAuth__Secret"] = InternalSecret,
        };

        Dictionary<string, string> With(string data, params (string Key, string Value)[] settings)
        {
            var environment = new Dictionary<string, string>(common) { ["Storage__Sqlite__DataDirectory"] = data };
            foreach (var (key, value) in settings)
            {
                environment[key] = value;
            }

            return environment;
        }

        var storage = await ServiceProcess.StartAsync("storage", "services/Operational.Storage", "Operational.Storage",
            With(storageData ?? Path.Combine(_data.Path, "storage")));
        _processes["storage"] = storage;
        _processes["contexts"] = await ServiceProcess.StartAsync("contexts", "services/Operational.Contexts", "Operational.Contexts",
            With(Path.Combine(_data.Path, "contexts"), ("Contexts__StorageApi", storage.Address.ToString())));
        _processes["notifications"] = await ServiceProcess.StartAsync("notifications", "services/Operational.Notifications", "Operational.Notifications",
            With(Path.Combine(_data.Path, "notifications"), ("Notifications__StorageApi", storage.Address.ToString()),
                ("Notifications__Outbound__AllowedHosts__0", "127.0.0.1")));
        _processes["rules"] = await ServiceProcess.StartAsync("rules", "services/Operational.Rules", "Operational.Rules",
            With(Path.Combine(_data.Path, "rules"), ("Rules__NotificationsApi", _processes["notifications"].Address.ToString())));
        _processes["gateway"] = await ServiceProcess.StartAsync("gateway", "gateway/Operational.Gateway", "Operational.Gateway",
            With(Path.Combine(_data.Path, "gateway"),
                ("Bootstrap__AdminKey", AdminKey),
                ("Bootstrap__IngestKey", IngestKey),
                ("Gateway__Services__Storage", storage.Address.ToString()),
                ("Gateway__Services__Contexts", _processes["contexts"].Address.ToString()),
                ("Gateway__Services__Rules", _processes["rules"].Address.ToString()),
                ("Gateway__Services__Notifications", _processes["notifications"].Address.ToString()),
                // The chaos clients send far faster than an app would; the limits are tested elsewhere.
                ("RateLimits__Enabled", "false")));
    }

    /// <summary>kill -9 of one process, then the same process on the same address again, ready.</summary>
    public async Task KillAndRestartAsync(string name, TimeSpan down)
    {
        var process = _processes[name];
        process.Kill();
        await Task.Delay(down);
        _processes[name] = await process.StartAgainAsync(TimeSpan.FromSeconds(90));
        await process.DisposeAsync();
    }

    /// <summary>The processes' captured output, for a failing test's message.</summary>
    public string Output(params string[] names) =>
        string.Join("\n", (names.Length == 0 ? _processes.Keys.ToArray() : names).Select(n => $"--- {n} ---\n{_processes[n].Output}"));

    public Task<IReadOnlyDictionary<string, int>> QueueDepthsAsync() => Broker.Node.QueueDepthsAsync("/");

    public static IReadOnlyList<string> ConsumedQueues => ConsumerQueues.All;

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes.Values)
        {
            await process.DisposeAsync();
        }

        await Broker.DisposeAsync();
        _data.Dispose();
    }
}
