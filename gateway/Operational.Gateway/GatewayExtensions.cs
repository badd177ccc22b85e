using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Operational.Contracts.Events;
using Operational.Gateway.Bootstrap;
using Operational.Gateway.Identity;
using Operational.Gateway.Identity.MongoDb;
using Operational.Gateway.Identity.Sqlite;
using Operational.Gateway.Ingest;
using Operational.ServiceDefaults.Health;
using Operational.ServiceDefaults.Hosting;
using Operational.ServiceDefaults.Storage;

namespace Operational.Gateway;

/// <summary>The gateway as a module: identity (projects, API keys) and ingest.</summary>
public static class GatewayExtensions
{
    public const string ServiceName = "gateway";

    public static IHostApplicationBuilder AddGateway(this IHostApplicationBuilder builder)
    {
        builder.BindValidated<IngestOptions, IngestOptionsValidator>(IngestOptions.SectionName);
        builder.BindValidated<BootstrapOptions, BootstrapOptionsValidator>(BootstrapOptions.SectionName);

        builder.Services.TryAddSingleton<MongoClientProvider>();
        builder.Services.AddSingleton<IIdentityStore>(provider =>
        {
            var storage = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
            return storage.Provider switch
            {
                StorageProvider.Sqlite => new SqliteIdentityStore(SqliteDatabase.InDataDirectory(storage, ServiceName)),
                StorageProvider.MongoDb => new MongoIdentityStore(provider.GetRequiredService<MongoClientProvider>().GetDatabase(ServiceName)),
                _ => throw new InvalidOperationException($"Unsupported storage provider {storage.Provider}."),
            };
        });
        builder.Services.AddHostedService<ProjectBootstrapper>();
        builder.Services.AddHealthChecks().AddStorageCheck<IIdentityStore>(ServiceName);

        builder.Services.AddMemoryCache(cache => cache.SizeLimit = 100_000);
        builder.Services
            .AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<ApiKeyAuthenticationOptions, ApiKeyAuthenticationHandler>(
                ApiKeyAuthenticationHandler.SchemeName,
                options => builder.Configuration.GetSection("Gateway:ApiKeys").Bind(options));

        builder.Services.TryAddSingleton<IIngestSink, BusIngestSink>();
        builder.Services.AddSingleton<IngestPublisher>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<IngestPublisher>());
        builder.Services.AddHealthChecks().AddCheck<IngestHealthCheck>("ingest", tags: [HealthEndpoints.ReadyTag]);
        return builder;
    }

    public static IEndpointRouteBuilder MapGateway(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapIngest();
        return endpoints;
    }

    /// <summary>
    /// RabbitMQ topology the gateway declares as the publisher: every subscriber queue, bound
    /// exactly as its consumer binds it, so an event published before that service's first
    /// start waits in its queue.
    /// </summary>
    public static void ConfigureIngestTopology(IBusRegistrationContext context, IRabbitMqBusFactoryConfigurator rabbit)
    {
        var queues = context.GetRequiredService<IOptions<IngestOptions>>().Value.SubscriberQueues;
        rabbit.Publish<EventsIngested>(publish =>
        {
            foreach (var queue in queues)
            {
                publish.BindQueue(queue, queue);
            }
        });
    }
}
