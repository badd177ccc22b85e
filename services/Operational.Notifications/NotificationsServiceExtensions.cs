using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Operational.Contracts.Topology;
using Operational.Notifications.Channels;
using Operational.Notifications.Channels.MongoDb;
using Operational.Notifications.Channels.Sqlite;
using Operational.ServiceDefaults.Bus;
using Operational.ServiceDefaults.Hosting;
using Operational.ServiceDefaults.Storage;

namespace Operational.Notifications;

/// <summary>
/// The notifications service as a module. Channels can be managed; sending through them (web push,
/// webhooks, Slack, …), deliveries and event actions arrive with the rest of its issue, so the
/// ingested events are only observed for now.
/// </summary>
public sealed class NotificationsService : IEventSubscriber
{
    public const string ServiceName = "notifications";

    public static string QueueName => EventSubscriberQueues.Notifications;
}

public static class NotificationsServiceExtensions
{
    public static IHostApplicationBuilder AddNotificationsService(this IHostApplicationBuilder builder)
    {
        builder.BindValidated<NotificationsOptions, NotificationsOptionsValidator>(NotificationsOptions.SectionName);
        builder.Services.AddSingleton<IChannelStore>(provider =>
        {
            var storage = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
            return storage.Provider switch
            {
                StorageProvider.Sqlite => new SqliteChannelStore(SqliteDatabase.InDataDirectory(storage, NotificationsService.ServiceName)),
                StorageProvider.MongoDb => new MongoChannelStore(provider.GetRequiredService<MongoClientProvider>().GetDatabase(NotificationsService.ServiceName)),
                _ => throw new InvalidOperationException($"Unsupported storage provider {storage.Provider}."),
            };
        });
        builder.Services.TryAddSingleton<MongoClientProvider>();
        builder.Services.AddServiceStore<IChannelStore>(NotificationsService.ServiceName);
        return builder;
    }

    public static void AddNotificationsConsumers(this IBusRegistrationConfigurator bus) =>
        bus.AddConsumer<ObservingEventsConsumer<NotificationsService>, ObservingEventsConsumerDefinition<NotificationsService>>();

    public static IEndpointRouteBuilder MapNotificationsService(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapChannels();
        return endpoints;
    }
}
