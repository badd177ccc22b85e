using Operational.Notifications;
using Operational.ServiceDefaults.Bus;
using Operational.ServiceDefaults.Hosting;
using Operational.ServiceDefaults.Identity;

return ServiceProgram.Run(args, NotificationsServiceExtensions.ServiceName,
    builder => builder
        .AddNotificationsService()
        .AddGatewayIdentityAuthentication()
        .AddOperationalBus(bus => bus.AddNotificationsConsumers()),
    app => app.MapNotificationsService());
