using Operational.ServiceDefaults.Bus;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Operational.ServiceDefaults.Hosting;
using Operational.ServiceDefaults.Storage;
using Operational.Storage.Events;
using Operational.Storage.Events.MongoDb;
using Operational.Storage.Events.Sqlite;
using Operational.Storage.Compatibility;
using Operational.Storage.Insights;
using Operational.Storage.Metrics;
using Operational.Storage.Users;
using Operational.Storage.Ingest;
using Operational.Storage.LiveFeed;
using Operational.Storage.Query;
using Operational.Storage.Retention;
using Operational.Storage.Volume;
using Operational.ServiceDefaults.ServiceApis;

namespace Operational.Storage;

/// <summary>The storage service as a module: the standalone host composes the same three calls.</summary>
public static class StorageServiceExtensions
{
    public const string ServiceName = "storage";

    public static IHostApplicationBuilder AddStorageService(this IHostApplicationBuilder builder)
    {
        builder.Services.AddServiceStore<IEventStore>(ServiceName, "events",
            (sqlite, _) => new SqliteEventStore(sqlite),
            (mongo, _) => new MongoEventStore(mongo),
            checkName: ServiceName);
        // Users and insights live with the events (their counts change in the events' transaction).
        builder.Services.AddSingleton(provider => (IUserStore)provider.GetRequiredService<IEventStore>());
        builder.Services.AddSingleton(provider => (IInsightStore)provider.GetRequiredService<IEventStore>());
        builder.Services.AddSingleton(provider => (IMetricStore)provider.GetRequiredService<IEventStore>());
        builder.Services.AddHostedService<MetricRollupWorker>();
        builder.BindValidated<LiveFeedOptions, LiveFeedOptionsValidator>(LiveFeedOptions.SectionName);
        builder.Services.AddSingleton<StoredSignal>();
        builder.Services.AddIngestedEventsHandler<StorageEventsHandler>();
        builder.Services.AddSingleton<LiveFeedHub>();
        builder.BindValidated<RetentionOptions, RetentionOptionsValidator>(RetentionOptions.SectionName);
        builder.Services.AddSingleton<RetentionWorker>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<RetentionWorker>());
        return builder;
    }

    public static void AddStorageConsumers(this IBusRegistrationConfigurator bus) =>
        bus.AddConsumer<EventsIngestedConsumer, EventsIngestedConsumerDefinition>();

    public static IEndpointRouteBuilder MapStorageService(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapServiceApi(ServiceName);
        api.MapEventQueries();
        api.MapLiveFeed();
        api.MapRetention();
        api.MapVolume();
        api.MapUsers();
        api.MapInsights();
        api.MapMetrics();
        api.MapLogSnagProfiles();
        return endpoints;
    }
}
