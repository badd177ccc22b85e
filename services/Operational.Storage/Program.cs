using Operational.ServiceDefaults.Bus;
using Operational.ServiceDefaults.Hosting;
using Operational.ServiceDefaults.Identity;
using Operational.Storage;

return ServiceProgram.Run(args, "storage",
    builder => builder
        .AddStorageService()
        .AddGatewayIdentityAuthentication()
        .AddOperationalBus(bus => bus.AddStorageConsumers()),
    app => app.MapStorageService());
