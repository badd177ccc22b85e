using Operational.ServiceDefaults.Bus;
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
using Operational.ServiceDefaults.ServiceApis;

namespace Operational.Contexts;

/// <summary>The contexts service as a module: the standalone host composes the same three calls.</summary>
public static class ContextsServiceExtensions
{
    public const string ServiceName = "contexts";

    public static IHostApplicationBuilder AddContextsService(this IHostApplicationBuilder builder)
    {
        builder.BindValidated<ContextsOptions, ContextsOptionsValidator>(ContextsOptions.SectionName);
        builder.Services.AddServiceStore<IContextStore>(ServiceName, ServiceName,
            (sqlite, provider) => new SqliteContextStore(sqlite, DefaultTimeout(provider)),
            (mongo, provider) => new MongoContextStore(mongo, DefaultTimeout(provider)));
        builder.Services.AddSingleton<ContextsChanged>();
        builder.Services.AddIngestedEventsHandler<ContextEventsHandler>();
        builder.Services.AddSingleton<ContextAnnouncer>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<ContextAnnouncer>());
        builder.Services.AddStorageApiContextEvents();
        builder.Services.AddHostedService<ContextRetentionWorker>();
        return builder;
    }

    private static int DefaultTimeout(IServiceProvider provider) =>
        provider.GetRequiredService<IOptions<ContextsOptions>>().Value.DefaultTimeoutSeconds;

    public static void AddContextsConsumers(this IBusRegistrationConfigurator bus) =>
        bus.AddConsumer<ContextEventsConsumer, ContextEventsConsumerDefinition>();

    public static IEndpointRouteBuilder MapContextsService(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapServiceApi(ServiceName);
        api.MapContextQueries();
        api.MapContextSettings();
        return endpoints;
    }
}
