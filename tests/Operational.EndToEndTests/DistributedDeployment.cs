using System.Globalization;
using Operational.TestSupport;

namespace Operational.EndToEndTests;

/// <summary>
/// The gateway and the storage service as two processes, talking over the RabbitMQ node of
/// this test run on a virtual host of their own. Shared by the tests of one class.
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
        Gateway = await ServiceProcess.StartAsync("gateway", "gateway/Operational.Gateway", "Operational.Gateway",
            new Dictionary<string, string>(common)
            {
                ["Storage__Sqlite__DataDirectory"] = Path.Combine(_data.Path, "gateway"),
                ["Bootstrap__AdminKey"] = AdminKey,
                ["Bootstrap__IngestKey"] = IngestKey,
                ["Gateway__Services__Storage"] = Storage.Address.ToString(),
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
