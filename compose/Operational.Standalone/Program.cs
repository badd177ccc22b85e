using Operational.Contexts;
using Operational.Gateway;
using Operational.Notifications;
using Operational.Rules;
using Operational.ServiceDefaults.Bus;
using Operational.ServiceDefaults.Hosting;
using Operational.Standalone;
using Operational.Storage;

// The embedded default: the gateway and all four services in one process, in-memory bus,
// SQLite files under ./data. Same modules as the distributed processes, composed here.
return ServiceProgram.Run(args, "standalone",
    builder => builder
        .AddGateway()
        .AddStorageService()
        .AddContextsService()
        .UseInProcessContextEvents()
        .AddRulesService()
        .UseInProcessChannelDirectory()
        .UseInProcessJobChecks()
        .AddNotificationsService()
        .UseInProcessEventLookup()
        .AddOperationalBus(
            bus =>
            {
                bus.AddStorageConsumers();
                bus.AddContextsConsumers();
                bus.AddRulesConsumers();
                bus.AddNotificationsConsumers();
            })
        .AddStartupBanner(),
    app =>
    {
        app.MapGateway();
        app.MapStorageService();
        app.MapContextsService();
        app.MapRulesService();
        app.MapNotificationsService();
    });
