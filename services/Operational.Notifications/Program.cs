using Operational.Notifications;
using Operational.ServiceDefaults.Bus;
using Operational.ServiceDefaults.Hosting;
using Operational.ServiceDefaults.Identity;

return ServiceProgram.Run(args, NotificationsService.ServiceName,
    builder => builder
        .AddNotificationsService()
        .AddGatewayIdentityAuthentication()
        .AddOperationalBus(bus => bus.AddNotificationsConsumers()),
    app => app.MapNotificationsService());
