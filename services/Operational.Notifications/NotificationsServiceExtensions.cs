using Operational.ServiceDefaults.Bus;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Operational.Notifications.Actions;
using Operational.Notifications.Channels;
using Operational.Notifications.Deliveries;
using Operational.Notifications.Deliveries.Senders;
using Operational.Notifications.Outbound;
using Operational.Notifications.Push;
using Operational.Notifications.Settings;
using Operational.Notifications.Storage;
using Operational.Notifications.Storage.MongoDb;
using Operational.Notifications.Storage.Sqlite;
using Operational.ServiceDefaults.Hosting;
using Operational.ServiceDefaults.Secrets;
using Operational.ServiceDefaults.Storage;
using Operational.ServiceDefaults.ServiceApis;

namespace Operational.Notifications;

/// <summary>
/// The notifications service as a module: channels, push subscriptions, and deliveries of alerts
/// (to webhook, Slack, Discord, email, ntfy, Telegram and web push channels), of notifying events
/// and of failed or stalled contexts; and event action buttons.
/// </summary>
public static class NotificationsServiceExtensions
{
    public const string ServiceName = "notifications";

    public static IHostApplicationBuilder AddNotificationsService(this IHostApplicationBuilder builder)
    {
        builder.BindValidated<NotificationsOptions, NotificationsOptionsValidator>(NotificationsOptions.SectionName);
        // One store, one file or database, for channels and push: both interfaces are the same object.
        builder.AddSecretBox();
        builder.Services.AddSingleton<StoredSecrets>();
        builder.Services.AddServiceStore<IChannelStore>(ServiceName, ServiceName,
            (sqlite, provider) => new SqliteNotificationsStore(sqlite, provider.GetRequiredService<StoredSecrets>()),
            (mongo, provider) => new MongoNotificationsStore(mongo, provider.GetRequiredService<StoredSecrets>()));
        builder.Services.AddSingleton(provider => (IPushStore)provider.GetRequiredService<IChannelStore>());
        builder.Services.AddSingleton(provider => (IDeliveryStore)provider.GetRequiredService<IChannelStore>());
        builder.Services.AddSingleton(provider => (IActionStore)provider.GetRequiredService<IChannelStore>());
        builder.Services.AddSingleton(provider => (INotificationSettingsStore)provider.GetRequiredService<IChannelStore>());
        builder.Services.AddSingleton(provider => (ISecretResealing)provider.GetRequiredService<IChannelStore>());
        builder.Services.AddHostedService<SecretResealing>();
        builder.Services.AddStorageApiEvents();
        builder.Services.AddOutboundHttp();
        builder.Services.AddSingleton<IChannelSender, WebhookSender>();
        builder.Services.AddSingleton<IChannelSender, SlackSender>();
        builder.Services.AddSingleton<IChannelSender, DiscordSender>();
        builder.Services.AddSingleton<IChannelSender, NtfySender>();
        builder.Services.AddSingleton<IChannelSender, TelegramSender>();
        builder.Services.AddSingleton<IChannelSender, EmailSender>();
        builder.Services.AddSingleton<WebPushSender>();
        builder.Services.AddSingleton<DeliveryTargets>();
        builder.Services.AddSingleton<DeliveriesQueued>();
        builder.Services.AddIngestedEventsHandler<NotificationEventsHandler>();
        builder.Services.AddSingleton<DeliveryDispatcher>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<DeliveryDispatcher>());
        builder.Services.AddSingleton<VapidKeys>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<VapidKeys>());
        return builder;
    }

    public static void AddNotificationsConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<EventNotificationsConsumer, EventNotificationsConsumerDefinition>();
        bus.AddConsumer<AlertNotificationsConsumer, AlertNotificationsConsumerDefinition>();
        bus.AddConsumer<ContextNotificationsConsumer, ContextNotificationsConsumerDefinition>();
    }

    public static IEndpointRouteBuilder MapNotificationsService(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapServiceApi(ServiceName);
        api.MapChannels();
        api.MapPush();
        api.MapDeliveries();
        api.MapActions();
        api.MapNotificationSettings();
        return endpoints;
    }
}
