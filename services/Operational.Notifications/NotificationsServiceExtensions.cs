using MassTransit;
using Operational.Contracts.Topology;
using Operational.ServiceDefaults.Bus;

namespace Operational.Notifications;

/// <summary>
/// The notifications service as a module. For now it consumes the ingested events from its own
/// queue and logs them; its processing arrives with its own issue.
/// </summary>
public sealed class NotificationsService : IEventSubscriber
{
    public const string ServiceName = "notifications";

    public static string QueueName => EventSubscriberQueues.Notifications;
}

public static class NotificationsServiceExtensions
{
    public static IHostApplicationBuilder AddNotificationsService(this IHostApplicationBuilder builder) => builder;

    public static void AddNotificationsConsumers(this IBusRegistrationConfigurator bus) =>
        bus.AddConsumer<ObservingEventsConsumer<NotificationsService>, ObservingEventsConsumerDefinition<NotificationsService>>();

    public static IEndpointRouteBuilder MapNotificationsService(this IEndpointRouteBuilder endpoints) => endpoints;
}
