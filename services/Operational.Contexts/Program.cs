using Operational.Contexts;
using Operational.ServiceDefaults.Bus;
using Operational.ServiceDefaults.Hosting;
using Operational.ServiceDefaults.Identity;

return ServiceProgram.Run(args, ContextsServiceExtensions.ServiceName,
    builder => builder
        .AddContextsService()
        .AddGatewayIdentityAuthentication()
        .AddOperationalBus(bus => bus.AddContextsConsumers()),
    app => app.MapContextsService());
