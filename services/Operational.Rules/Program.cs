using Operational.Rules;
using Operational.Rules.JobChecks;
using Operational.ServiceDefaults.Bus;
using Operational.ServiceDefaults.Hosting;
using Operational.ServiceDefaults.Identity;

return ServiceProgram.Run(args, RulesServiceExtensions.ServiceName,
    builder => builder
        .AddRulesService()
        .AddGatewayIdentityAuthentication()
        .AddOperationalBus(bus => bus.AddRulesConsumers()),
    app => app.MapRulesService().MapCheckPingIntake());
