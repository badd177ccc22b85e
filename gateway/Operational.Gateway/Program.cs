using Operational.Gateway;
using Operational.Gateway.Proxy;
using Operational.ServiceDefaults.Bus;
using Operational.ServiceDefaults.Hosting;

return ServiceProgram.Run(args, GatewayExtensions.ServiceName,
    builder => builder
        .AddGateway()
        .AddServiceProxy()
        .AddOperationalBus(_ => { }),
    app => app
        .MapGateway()
        .MapServiceProxy());
