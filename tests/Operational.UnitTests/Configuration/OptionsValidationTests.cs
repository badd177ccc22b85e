using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Operational.Gateway;
using Operational.ServiceDefaults.Bus;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Storage;

namespace Operational.UnitTests.Configuration;

/// <summary>A wrong setting stops the start with a message that names the setting and the fix.</summary>
public sealed class OptionsValidationTests
{
    [Fact]
    public void Defaults_work_standalone()
    {
        var builder = Builder([]);

        builder.AddOperationalBus(_ => { });
        builder.AddGateway();
    }

    [Fact]
    public void Configured_subscriber_queues_replace_the_defaults_instead_of_adding_to_them()
    {
        var configured = new Gateway.Ingest.IngestOptions();
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Ingest:SubscriberQueues:0"] = "storage-events-ingested" })
            .Build().GetSection("Ingest").Bind(configured);
        var unconfigured = new Gateway.Ingest.IngestOptions();
        new ConfigurationBuilder().Build().GetSection("Ingest").Bind(unconfigured);

        Assert.Equal(["storage-events-ingested"], configured.Subscribers);
        Assert.Equal(Contracts.Topology.EventSubscriberQueues.All, unconfigured.Subscribers);
    }

    [Theory]
    [InlineData("Bus:RabbitMq:Host", "", "Bus:RabbitMq:Host is required")]
    [InlineData("Bus:RabbitMq:Port", "70000", "Bus:RabbitMq:Port must be between 1 and 65535")]
    [InlineData("Bus:RabbitMq:PrefetchCount", "0", "Bus:RabbitMq:PrefetchCount")]
    public void Invalid_rabbitmq_settings_are_named(string key, string value, string message)
    {
        var builder = Builder(new() { ["Bus:Transport"] = "RabbitMq", [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => builder.AddOperationalBus(_ => { }));
        Assert.Contains(error.Failures, f => f.Contains(message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, "Storage:MongoDb:ConnectionString is required")]
    [InlineData("http://nope", "not a MongoDB connection string")]
    public void MongoDb_needs_a_valid_connection_string(string? connectionString, string message)
    {
        var options = new StorageOptions { Provider = StorageProvider.MongoDb, MongoDb = { ConnectionString = connectionString } };

        var result = new StorageOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains(message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, "InternalAuth:Secret is required")]
    [InlineData("short", "at least 32 characters")]
    public void Distributed_services_need_a_long_internal_secret(string? secret, string message)
    {
        var result = new InternalAuthOptionsValidator().Validate(null, new InternalAuthOptions { Secret = secret });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Weak_bootstrap_key_is_refused()
    {
        var builder = Builder(new() { ["Bootstrap:AdminKey"] = "admin" });

        var error = Assert.Throws<OptionsValidationException>(() => builder.AddGateway());
        Assert.Contains(error.Failures, f => f.Contains("Bootstrap:AdminKey must be 24 to 256 characters", StringComparison.Ordinal));
    }

    [Fact]
    public void Ingest_limits_must_be_consistent()
    {
        var builder = Builder(new() { ["Ingest:MaxEventBodyBytes"] = "100000", ["Ingest:MaxBatchBytes"] = "50000" });

        var error = Assert.Throws<OptionsValidationException>(() => builder.AddGateway());
        Assert.Contains(error.Failures, f => f.Contains("Ingest:MaxBatchBytes (50000) must be at least", StringComparison.Ordinal));
    }

    private static HostApplicationBuilder Builder(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        return builder;
    }
}
