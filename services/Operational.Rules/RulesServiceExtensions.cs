using Operational.ServiceDefaults.Bus;
using Hangfire;
using Hangfire.Dashboard;
using Hangfire.InMemory;
using Hangfire.Mongo;
using Hangfire.Mongo.Migration.Strategies;
using Hangfire.Mongo.Migration.Strategies.Backup;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MassTransit;
using MongoDB.Driver;
using Microsoft.Extensions.Options;
using Operational.Rules.Alerts;
using Operational.Rules.Checks;
using Operational.Rules.Definitions;
using Operational.Rules.Evaluation;
using Operational.Rules.JobChecks;
using Operational.Rules.Matching;
using Operational.Rules.Storage;
using Operational.Rules.Storage.MongoDb;
using Operational.Rules.Storage.Sqlite;
using Operational.ServiceDefaults.Hosting;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;
using Operational.ServiceDefaults.Secrets;
using Operational.ServiceDefaults.Storage;
using Operational.ServiceDefaults.ServiceApis;

namespace Operational.Rules;

/// <summary>The rules service as a module: the standalone host composes the same three calls.</summary>
public static class RulesServiceExtensions
{
    public const string ServiceName = "rules";

    /// <summary>Where the Hangfire dashboard is served (admins only).</summary>
    public const string DashboardPath = "/hangfire";

    public static IHostApplicationBuilder AddRulesService(this IHostApplicationBuilder builder)
    {
        var options = builder.BindValidated<RulesOptions, RulesOptionsValidator>(RulesOptions.SectionName);
        builder.Services.AddServiceStore<IRulesStore>(ServiceName, ServiceName,
            (sqlite, _) => new SqliteRulesStore(sqlite),
            (mongo, _) => new MongoRulesStore(mongo));
        builder.Services.AddSingleton<IRuleStore>(provider => provider.GetRequiredService<IRulesStore>());
        builder.Services.AddSingleton<IRuleCounterStore>(provider => provider.GetRequiredService<IRulesStore>());
        builder.Services.AddSingleton<IRuleRunStore>(provider => provider.GetRequiredService<IRulesStore>());
        builder.Services.AddSingleton<IAlertStore>(provider => provider.GetRequiredService<IRulesStore>());
        builder.Services.AddSingleton<IAlertOutbox>(provider => provider.GetRequiredService<IRulesStore>());
        builder.Services.AddSingleton<ISilenceStore>(provider => provider.GetRequiredService<IRulesStore>());
        builder.Services.AddSingleton<ICheckRunStore>(provider => provider.GetRequiredService<IRulesStore>());
        builder.Services.AddSingleton<ICheckHistoryStore>(provider => provider.GetRequiredService<IRulesStore>());
        builder.Services.AddSingleton<RuleBook>();
        builder.Services.AddSingleton<AlertKeeper>();
        builder.AddSecretBox();
        builder.Services.AddSingleton<AcknowledgeLinks>();
        builder.Services.AddSingleton<AcknowledgeLinkLimiter>();
        // Transient: it holds the channel directory's typed HttpClient, which must not live for the whole process.
        builder.Services.AddTransient<RuleService>();
        builder.Services.AddTransient<CheckService>();
        builder.Services.AddSingleton<ProjectRouting>();
        builder.Services.AddSingleton<RuleEvaluator>();
        builder.Services.AddIngestedEventsHandler<RuleEventsHandler>();
        builder.Services.AddSingleton<RuleChecks>();
        builder.Services.AddSingleton<RunOutcomes>();
        builder.Services.AddTransient<RuleCheckJob>();
        builder.Services.AddTransient<RulePruneJob>();
        builder.Services.AddSingleton<AlertsQueued>();
        builder.Services.AddSingleton<AlertPublisher>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<AlertPublisher>());

        // Each occurrence of a rule's schedule runs once: in this process with in-memory job storage
        // (SQLite, one replica), across replicas with Hangfire.Mongo's distributed locks (MongoDB).
        // The storage is this host's, registered before AddHangfire (which only adds Hangfire's
        // process-wide JobStorage.Current when none is): two hosts in one process (the tests) would
        // otherwise share it, and the first to stop would dispose the other's.
        builder.Services.AddSingleton<JobStorage>(provider =>
        {
            var storage = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
            return storage.Provider == StorageProvider.MongoDb
                ? new MongoStorage(MongoClientSettings.FromConnectionString(storage.MongoDb.ConnectionString), storage.MongoDb.DatabasePrefix + "hangfire", new MongoStorageOptions
                {
                    MigrationOptions = new MongoMigrationOptions
                    {
                        MigrationStrategy = new MigrateMongoMigrationStrategy(),
                        BackupStrategy = new CollectionMongoBackupStrategy(),
                    },
                    // Change streams need a replica set; polling works on a single node too.
                    CheckQueuedJobsStrategy = CheckQueuedJobsStrategy.Poll,
                    CheckConnection = true,
                })
                : new InMemoryStorage(new InMemoryStorageOptions());
        });
        builder.Services.AddHangfire(hangfire => hangfire
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        builder.Services.AddHangfireServer(server =>
        {
            server.WorkerCount = options.CheckWorkers;
            server.SchedulePollingInterval = options.SchedulePollingInterval;
            server.ServerName = $"{ServiceName}:{Environment.MachineName}:{Environment.ProcessId}";
        });
        builder.Services.AddNotificationsApiChannels();
        builder.Services.AddSingleton<RuleSchedules>();
        builder.Services.AddHostedService<RuleScheduleSync>();
        return builder;
    }

    public static void AddRulesConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<RulesEventsConsumer, RulesEventsConsumerDefinition>();
        bus.AddConsumer<ContextOutcomesConsumer, ContextOutcomesConsumerDefinition>();
    }

    public static IEndpointRouteBuilder MapRulesService(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapServiceApi(ServiceName);
        api.MapRules();
        api.MapAlerts();
        api.MapAcknowledgeLinks();
        api.MapSilences();
        api.MapChecks();
        var dashboard = api.MapHangfireDashboard(DashboardPath, new DashboardOptions
        {
            // The endpoint's own authorization (an admin key) decides; Hangfire's default allows local requests only.
            Authorization = [new AuthenticatedDashboardFilter()],
            DisplayStorageConnectionString = false,
            DashboardTitle = "Operational rule checks",
        })
            // The dashboard's pages and commands are GETs and POSTs; other methods are refused by routing.
            .WithMetadata(new HttpMethodMetadata(["GET", "POST"]))
            // Every project's checks are in it: only the installation's administrators may see or change them.
            .RequireAuthorization(Policies.InstallationAdmin);
        dashboard.Add(endpoint => endpoint.RequestDelegate = RefuseWhatHangfireCannotRead(endpoint.RequestDelegate!));
        return endpoints;
    }

    /// <summary>
    /// Hangfire reads every POST (and its stats at any method) as an HTML form and throws on anything
    /// else: those requests get a 4xx problem instead of a 500.
    /// </summary>
    private static RequestDelegate RefuseWhatHangfireCannotRead(RequestDelegate dashboard) => http =>
    {
        if (http.Request.Path.Value?.EndsWith("/stats", StringComparison.Ordinal) == true && !HttpMethods.IsPost(http.Request.Method))
        {
            http.Response.Headers.Allow = "POST";
            return ApiProblems.WriteAsync(http, StatusCodes.Status405MethodNotAllowed, "Method not allowed.", "The dashboard's statistics are read with a POST of its form.");
        }

        if (HttpMethods.IsPost(http.Request.Method) && !http.Request.HasFormContentType)
        {
            return ApiProblems.WriteAsync(http, StatusCodes.Status415UnsupportedMediaType, "Unsupported media type.",
                "The dashboard's commands are HTML forms: send them as application/x-www-form-urlencoded.");
        }

        return dashboard(http);
    };

    private sealed class AuthenticatedDashboardFilter : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) => context.GetHttpContext().User.Identity?.IsAuthenticated == true;
    }
}
