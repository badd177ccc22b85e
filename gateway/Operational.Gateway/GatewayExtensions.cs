using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Operational.Gateway.Bootstrap;
using Operational.Gateway.Forwarding;
using Operational.Gateway.Identity;
using Operational.Gateway.Identity.MongoDb;
using Operational.Gateway.Identity.Sqlite;
using Operational.Gateway.Ingest;
using Operational.Gateway.Ingest.Compatibility;
using Operational.Gateway.Ingest.Duplicates;
using Operational.Gateway.DeadLetters;
using Operational.Gateway.Ingest.Journal;
using Operational.Gateway.Operators;
using Operational.Gateway.Operators.MongoDb;
using Operational.Gateway.Operators.Sqlite;
using Operational.Gateway.Projects;
using Operational.Gateway.Sessions;
using Operational.Gateway.Dashboard;
using Microsoft.AspNetCore.Authentication;
using Operational.Gateway.Badges;
using Operational.Gateway.Pings;
using Operational.Gateway.RateLimits;
using Operational.Gateway.Reference;
using Operational.ServiceDefaults.Bus;
using Operational.ServiceDefaults.Health;
using Operational.ServiceDefaults.Hosting;
using Operational.ServiceDefaults.Storage;

namespace Operational.Gateway;

/// <summary>The gateway as a module: identity (projects, API keys) and ingest.</summary>
public static class GatewayExtensions
{
    public const string ServiceName = "gateway";

    public static IHostApplicationBuilder AddGateway(this IHostApplicationBuilder builder)
    {
        builder.BindValidated<IngestOptions, IngestOptionsValidator>(IngestOptions.SectionName);
        builder.BindValidated<BootstrapOptions, BootstrapOptionsValidator>(BootstrapOptions.SectionName);
        builder.AddGatewayRateLimits();
        builder.AddTrustedProxies();

        // Three files of their own in SQLite, collections of one database in MongoDB.
        builder.Services.AddServiceStore<IIdentityStore>(ServiceName, ServiceName, (sqlite, _) => new SqliteIdentityStore(sqlite), (mongo, _) => new MongoIdentityStore(mongo));
        builder.Services.AddServiceStore<IOperatorStore>(ServiceName, "operators", (sqlite, _) => new SqliteOperatorStore(sqlite), (mongo, _) => new MongoOperatorStore(mongo));
        builder.Services.AddServiceStore<IEventIdLedger>(ServiceName, "ingest-ids", (sqlite, _) => new SqliteEventIdLedger(sqlite), (mongo, _) => new MongoEventIdLedger(mongo));
        builder.Services.AddSingleton<OperatorPasswords>();
        builder.Services.AddSingleton<SignInThrottle>();
        builder.Services.AddSingleton<SessionRevocations>();
        builder.Services.AddSingleton<AcceptedIds>();
        builder.Services.AddHostedService<EventIdLedgerMaintenance>();
        builder.Services.AddHostedService<ProjectBootstrapper>();
        builder.Services.AddHostedService<SessionMaintenance>();
        builder.BindValidated<OperatorSessionOptions, OperatorSessionOptionsValidator>(OperatorSessionOptions.SectionName);

        builder.Services.AddMemoryCache(cache => cache.SizeLimit = 100_000);
        builder.Services
            .AddAuthentication(SessionAuthenticationHandler.SelectorScheme)
            .AddPolicyScheme(SessionAuthenticationHandler.SelectorScheme, null, selector => selector.ForwardDefaultSelector = http =>
                http.Request.Headers.Authorization.Count > 0 || !http.Request.Cookies.ContainsKey(SessionAuthenticationHandler.CookieName)
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : SessionAuthenticationHandler.SchemeName)
            .AddScheme<ApiKeyAuthenticationOptions, ApiKeyAuthenticationHandler>(
                ApiKeyAuthenticationHandler.SchemeName,
                options => builder.Configuration.GetSection("Gateway:ApiKeys").Bind(options))
            .AddScheme<AuthenticationSchemeOptions, SessionAuthenticationHandler>(SessionAuthenticationHandler.SchemeName, configureOptions: null);

        builder.Services.AddSingleton<SubscriberTopology>();
        builder.Services.AddHostedService<SubscriberTopologyStartup>();
        builder.Services.AddSingleton(provider =>
            new IngestJournal(SqliteDatabase.InDataDirectory(provider.GetRequiredService<IOptions<StorageOptions>>().Value, "ingest-journal")));
        builder.Services.AddSingleton<JournalCompletion>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<JournalCompletion>());
        // After the journal, so that it stops first: the modules finish, then the journal forgets what they finished.
        builder.Services.AddSingleton<InProcessDispatch>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<InProcessDispatch>());
        // A 202 means durable: the broker's confirm over RabbitMQ, the local journal on the in-memory bus.
        builder.Services.TryAddSingleton<IIngestSink>(provider =>
            IsRabbitMq(provider)
                ? ActivatorUtilities.CreateInstance<RabbitMqIngestSink>(provider)
                : ActivatorUtilities.CreateInstance<JournalingIngestSink>(provider));
        builder.Services.AddSingleton<IngestPublisher>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<IngestPublisher>());
        builder.BindValidated<PingOptions, PingOptionsValidator>(PingOptions.SectionName);
        builder.Services.AddPings();
        builder.Services.AddSingleton<BrokerProbe>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<BrokerProbe>());
        builder.Services.AddHealthChecks().AddCheck<IngestHealthCheck>("ingest", tags: [HealthEndpoints.ReadyTag]);
        return builder;
    }

    internal static bool IsRabbitMq(IServiceProvider provider) =>
        provider.GetRequiredService<IOptions<BusOptions>>().Value.Transport == BusTransport.RabbitMq;

    public static IEndpointRouteBuilder MapGateway(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapIngest();
        endpoints.MapPings();
        endpoints.MapBadges();
        endpoints.MapOperationalCompatibility();
        endpoints.MapLogSnagLog();
        endpoints.MapProjects();
        endpoints.MapDeadLetters();
        endpoints.MapSessions();
        endpoints.MapOperators();
        endpoints.MapDashboard();
        endpoints.MapApiReference();
        return endpoints;
    }
}
