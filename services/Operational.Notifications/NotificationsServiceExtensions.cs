using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Operational.Contracts.Topology;
using Operational.Notifications.Channels;
using Operational.Notifications.Push;
using Operational.Notifications.Storage.MongoDb;
using Operational.Notifications.Storage.Sqlite;
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
        // One store, one file or database, for channels and push: both interfaces are the same object.
        builder.Services.AddSingleton<IChannelStore>(provider =>
        {
            var storage = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
            return storage.Provider switch
            {
                StorageProvider.Sqlite => new SqliteNotificationsStore(SqliteDatabase.InDataDirectory(storage, NotificationsService.ServiceName)),
                StorageProvider.MongoDb => new MongoNotificationsStore(provider.GetRequiredService<MongoClientProvider>().GetDatabase(NotificationsService.ServiceName)),
                _ => throw new InvalidOperationException($"Unsupported storage provider {storage.Provider}."),
            };
        });
        builder.Services.AddSingleton(provider => (IPushStore)provider.GetRequiredService<IChannelStore>());
        builder.Services.TryAddSingleton<MongoClientProvider>();
        builder.Services.AddServiceStore<IChannelStore>(NotificationsService.ServiceName);
        builder.Services.AddSingleton<VapidKeys>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<VapidKeys>());
        return builder;
    }

    public static void AddNotificationsConsumers(this IBusRegistrationConfigurator bus) =>
        bus.AddConsumer<ObservingEventsConsumer<NotificationsService>, ObservingEventsConsumerDefinition<NotificationsService>>();

    public static IEndpointRouteBuilder MapNotificationsService(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapChannels();
        endpoints.MapPush();
        return endpoints;
    }
}
