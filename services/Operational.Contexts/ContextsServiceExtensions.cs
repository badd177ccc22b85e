using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Operational.Contexts.Announcements;
using Operational.Contexts.Ingest;
using Operational.Contexts.Query;
using Operational.Contexts.Retention;
using Operational.Contexts.Settings;
using Operational.Contexts.Tracking;
using Operational.Contexts.Tracking.MongoDb;
using Operational.Contexts.Tracking.Sqlite;
using Operational.ServiceDefaults.Hosting;
using Operational.ServiceDefaults.Storage;

namespace Operational.Contexts;

/// <summary>The contexts service as a module: the standalone host composes the same three calls.</summary>
public static class ContextsServiceExtensions
{
    public const string ServiceName = "contexts";

    public static IHostApplicationBuilder AddContextsService(this IHostApplicationBuilder builder)
    {
        builder.BindValidated<ContextsOptions, ContextsOptionsValidator>(ContextsOptions.SectionName);
        builder.Services.AddSingleton<IContextStore>(provider =>
        {
            var storage = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
            var defaultTimeout = provider.GetRequiredService<IOptions<ContextsOptions>>().Value.DefaultTimeoutSeconds;
            return storage.Provider switch
            {
                StorageProvider.Sqlite => new SqliteContextStore(SqliteDatabase.InDataDirectory(storage, ServiceName), defaultTimeout),
                StorageProvider.MongoDb => new MongoContextStore(provider.GetRequiredService<MongoClientProvider>().GetDatabase(ServiceName), defaultTimeout),
                _ => throw new InvalidOperationException($"Unsupported storage provider {storage.Provider}."),
            };
        });
        builder.Services.TryAddSingleton<MongoClientProvider>();
        builder.Services.AddServiceStore<IContextStore>(ServiceName);
        builder.Services.AddSingleton<ContextsChanged>();
        builder.Services.AddSingleton<ContextAnnouncer>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<ContextAnnouncer>());
        builder.Services.AddStorageApiContextEvents();
        builder.Services.AddHostedService<ContextRetentionWorker>();
        return builder;
    }

    public static void AddContextsConsumers(this IBusRegistrationConfigurator bus) =>
        bus.AddConsumer<ContextEventsConsumer, ContextEventsConsumerDefinition>();

    public static IEndpointRouteBuilder MapContextsService(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapContextQueries();
        endpoints.MapContextSettings();
        return endpoints;
    }
}
