using System.Globalization;
using Operational.Contracts.Topology;
using Operational.TestSupport;

namespace Operational.EndToEndTests;

/// <summary>
/// The gateway, the storage, rules and notifications services and two replicas of the contexts service as separate
/// processes, talking over the RabbitMQ node of this test run on a virtual host of their own.
/// The two contexts replicas compete for the same queue and share one SQLite file, as replicas
/// on one machine do. Shared by the tests of one class.
/// </summary>
public sealed class DistributedDeployment : IAsyncLifetime
{
    public const string AdminKey = "e2e-admin-key-0123456789abcdef";
    public const string IngestKey = "e2e-ingest-key-0123456789abcdef";
    public const string InternalSecret = "e2e-internal-secret-0123456789abcdef";

    private readonly TempDirectory _data = new("operational-e2e");
    private readonly HttpClient _http = new();

    public RabbitMqNode Broker { get; private set; } = null!;

    public string VirtualHost { get; private set; } = "";

    public ServiceProcess Storage { get; private set; } = null!;

    public ServiceProcess Gateway { get; private set; } = null!;

    public ServiceProcess Rules { get; private set; } = null!;

    public ServiceProcess Notifications { get; private set; } = null!;

    /// <summary>A queue the gateway binds like a service's but nothing consumes: its depth counts the batches published.</summary>
    public const string ProbeQueue = "e2e-probe-events-ingested";

    /// <summary>The two contexts-service replicas; the gateway forwards to the first.</summary>
    public IReadOnlyList<ServiceProcess> Contexts { get; private set; } = [];

    /// <summary>A client of the public API, i.e. of the gateway.</summary>
    public OperationalClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Broker = RabbitMqNode.FromEnvironment();
        VirtualHost = await Broker.CreateVirtualHostAsync("e2e");
        var common = new Dictionary<string, string>
        {
            ["Bus__Transport"] = "RabbitMq",
            ["Bus__RabbitMq__Host"] = Broker.Host,
            ["Bus__RabbitMq__Port"] = Broker.Port.ToString(CultureInfo.InvariantCulture),
            ["Bus__RabbitMq__VirtualHost"] = VirtualHost,
            ["InternalAuth__Secret"] = InternalSecret,
        };

        Storage = await ServiceProcess.StartAsync("storage", "services/Operational.Storage", "Operational.Storage",
            new Dictionary<string, string>(common) { ["Storage__Sqlite__DataDirectory"] = Path.Combine(_data.Path, "storage") });
        var contexts = new Dictionary<string, string>(common)
        {
            ["Storage__Sqlite__DataDirectory"] = Path.Combine(_data.Path, "contexts"),
            ["Contexts__StorageApi"] = Storage.Address.ToString(),
            // The tests read each replica's output to see that both consumed.
            ["Logging__LogLevel__Operational.Contexts"] = "Debug",
        };
        Task<ServiceProcess>[] replicas =
        [
            ServiceProcess.StartAsync("contexts-1", "services/Operational.Contexts", "Operational.Contexts", contexts),
            ServiceProcess.StartAsync("contexts-2", "services/Operational.Contexts", "Operational.Contexts", contexts),
        ];
        try
        {
            Contexts = await Task.WhenAll(replicas);
        }
        catch
        {
            // DisposeAsync only knows the replicas once both started: stop the one that did.
            foreach (var started in replicas.Where(r => r.IsCompletedSuccessfully))
            {
                await started.Result.DisposeAsync();
            }

            throw;
        }
        Notifications = await ServiceProcess.StartAsync("notifications", "services/Operational.Notifications", "Operational.Notifications",
            new Dictionary<string, string>(common)
            {
                ["Storage__Sqlite__DataDirectory"] = Path.Combine(_data.Path, "notifications"),
                ["Notifications__StorageApi"] = Storage.Address.ToString(),
                // The tests' webhook receivers listen on loopback.
                ["Notifications__Outbound__AllowedHosts__0"] = "127.0.0.1",
            });
        Rules = await ServiceProcess.StartAsync("rules", "services/Operational.Rules", "Operational.Rules",
            new Dictionary<string, string>(common)
            {
                ["Storage__Sqlite__DataDirectory"] = Path.Combine(_data.Path, "rules"),
                ["Rules__NotificationsApi"] = Notifications.Address.ToString(),
            });
        Gateway = await ServiceProcess.StartAsync("gateway", "gateway/Operational.Gateway", "Operational.Gateway",
            new Dictionary<string, string>(common)
            {
                ["Storage__Sqlite__DataDirectory"] = Path.Combine(_data.Path, "gateway"),
                ["Bootstrap__AdminKey"] = AdminKey,
                ["Bootstrap__IngestKey"] = IngestKey,
                ["Gateway__Services__Storage"] = Storage.Address.ToString(),
                ["Gateway__Services__Contexts"] = Contexts[0].Address.ToString(),
                ["Gateway__Services__Rules"] = Rules.Address.ToString(),
                ["Gateway__Services__Notifications"] = Notifications.Address.ToString(),
                ["Ingest__SubscriberQueues__0"] = EventSubscriberQueues.Storage,
                ["Ingest__SubscriberQueues__1"] = EventSubscriberQueues.Contexts,
                ["Ingest__SubscriberQueues__2"] = EventSubscriberQueues.Rules,
                ["Ingest__SubscriberQueues__3"] = EventSubscriberQueues.Notifications,
                ["Ingest__SubscriberQueues__4"] = ProbeQueue,
            });

        _http.BaseAddress = Gateway.Address;
        Client = new OperationalClient(_http);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (Gateway is not null)
        {
            await Gateway.DisposeAsync();
        }

        if (Rules is not null)
        {
            await Rules.DisposeAsync();
        }

        if (Notifications is not null)
        {
            await Notifications.DisposeAsync();
        }

        foreach (var replica in Contexts)
        {
            await replica.DisposeAsync();
        }

        if (Storage is not null)
        {
            await Storage.DisposeAsync();
        }

        if (VirtualHost.Length > 0)
        {
            await Broker.DeleteVirtualHostAsync(VirtualHost);
        }

        _data.Dispose();
    }
}
