using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Operational.Gateway.Bootstrap;
using Operational.Gateway.Identity;
using Operational.Gateway.Identity.MongoDb;
using Operational.Gateway.Identity.Sqlite;
using Operational.Gateway.Ingest;
using Operational.Gateway.Ingest.Compatibility;
using Operational.Gateway.Ingest.Duplicates;
using Operational.Gateway.Ingest.Journal;
using Operational.Gateway.Operators;
using Operational.Gateway.Operators.MongoDb;
using Operational.Gateway.Operators.Sqlite;
using Operational.Gateway.Projects;
using Operational.Gateway.Sessions;
using Operational.Gateway.Dashboard;
using Microsoft.AspNetCore.Authentication;
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

        builder.Services.TryAddSingleton<MongoClientProvider>();
        builder.Services.AddSingleton<IIdentityStore>(provider => ByProvider<IIdentityStore>(
            provider, storage => new SqliteIdentityStore(SqliteDatabase.InDataDirectory(storage, ServiceName)), database => new MongoIdentityStore(database)));
        builder.Services.AddSingleton<IOperatorStore>(provider => ByProvider<IOperatorStore>(
            provider, storage => new SqliteOperatorStore(SqliteDatabase.InDataDirectory(storage, "operators")), database => new MongoOperatorStore(database)));
        builder.Services.AddSingleton<IEventIdLedger>(provider => ByProvider<IEventIdLedger>(
            provider, storage => new SqliteEventIdLedger(SqliteDatabase.InDataDirectory(storage, "ingest-ids")), database => new MongoEventIdLedger(database)));
        builder.Services.AddSingleton<OperatorPasswords>();
        builder.Services.AddSingleton<SignInThrottle>();
        builder.Services.AddSingleton<AcceptedIds>();
        builder.Services.AddHostedService<EventIdLedgerMaintenance>();
        builder.Services.AddHostedService<ProjectBootstrapper>();
        builder.Services.AddHostedService<SessionMaintenance>();
        builder.BindValidated<OperatorSessionOptions, OperatorSessionOptionsValidator>(OperatorSessionOptions.SectionName);
        builder.Services.AddHealthChecks().AddStorageCheck<IIdentityStore>(ServiceName);

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
        // A 202 means durable: the broker's confirm over RabbitMQ, the local journal on the in-memory bus.
        builder.Services.TryAddSingleton<IIngestSink>(provider =>
            IsRabbitMq(provider)
                ? ActivatorUtilities.CreateInstance<RabbitMqIngestSink>(provider)
                : ActivatorUtilities.CreateInstance<JournalingIngestSink>(provider));
        builder.Services.AddSingleton<IngestPublisher>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<IngestPublisher>());
        builder.Services.AddHealthChecks().AddCheck<IngestHealthCheck>("ingest", tags: [HealthEndpoints.ReadyTag]);
        return builder;
    }

    /// <summary>The gateway's stores: a SQLite file of their own, or collections in the gateway's MongoDB database.</summary>
    private static T ByProvider<T>(IServiceProvider provider, Func<StorageOptions, T> sqlite, Func<MongoDB.Driver.IMongoDatabase, T> mongo)
    {
        var storage = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
        return storage.Provider switch
        {
            StorageProvider.Sqlite => sqlite(storage),
            StorageProvider.MongoDb => mongo(provider.GetRequiredService<MongoClientProvider>().GetDatabase(ServiceName)),
            _ => throw new InvalidOperationException($"Unsupported storage provider {storage.Provider}."),
        };
    }

    internal static bool IsRabbitMq(IServiceProvider provider) =>
        provider.GetRequiredService<IOptions<BusOptions>>().Value.Transport == BusTransport.RabbitMq;

    public static IEndpointRouteBuilder MapGateway(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapIngest();
        endpoints.MapOperationalCompatibility();
        endpoints.MapProjects();
        endpoints.MapSessions();
        endpoints.MapOperators();
        endpoints.MapDashboard();
        endpoints.MapApiReference();
        return endpoints;
    }
}
