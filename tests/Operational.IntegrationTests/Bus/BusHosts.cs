using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Operational.Gateway.Ingest;
using Operational.Storage.Ingest;
using Operational.TestSupport;

namespace Operational.IntegrationTests.Bus;

/// <summary>Settings every in-process host of a bus test shares: one RabbitMQ virtual host and the internal secret.</summary>
public sealed record BusSettings(Uri Broker, string VirtualHost, string DataDirectory)
{
    public const string AdminKey = "bus-admin-key-0123456789abcdef";
    public const string IngestKey = "bus-ingest-key-0123456789abcdef";
    public const string InternalSecret = "bus-tests-internal-secret-0123456789";

    public void Apply(IWebHostBuilder builder)
    {
        builder.UseSetting("Bus:Transport", "RabbitMq");
        builder.UseSetting("Bus:RabbitMq:Host", Broker.Host);
        builder.UseSetting("Bus:RabbitMq:Port", Broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Bus:RabbitMq:VirtualHost", VirtualHost);
        builder.UseSetting("Storage:Sqlite:DataDirectory", DataDirectory);
        builder.UseSetting("InternalAuth:Secret", InternalSecret);
        builder.UseSetting("Bootstrap:AdminKey", AdminKey);
        builder.UseSetting("Bootstrap:IngestKey", IngestKey);
    }
}

/// <summary>The gateway process's composition, in memory, publishing to a real RabbitMQ.</summary>
public sealed class GatewayHost(BusSettings settings, Action<IWebHostBuilder>? configure = null) : WebApplicationFactory<IngestAccepted>
{
    public OperationalClient CreateOperationalClient() => new(CreateClient());

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        settings.Apply(builder);
        configure?.Invoke(builder);
    }
}

/// <summary>The storage service's composition, in memory, consuming from a real RabbitMQ.</summary>
public sealed class StorageHost(BusSettings settings) : WebApplicationFactory<EventsIngestedConsumer>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder) => settings.Apply(builder);
}
