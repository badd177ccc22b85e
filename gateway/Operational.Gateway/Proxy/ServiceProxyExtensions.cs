using Microsoft.Extensions.Options;
using Operational.ServiceDefaults.Hosting;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.OpenApi;
using Operational.ServiceDefaults.Problems;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Transforms;

namespace Operational.Gateway.Proxy;

/// <summary>
/// Distributed mode: the services' read and admin APIs are reached through the gateway.
/// The gateway authenticates and authorizes each request, drops the caller's credentials and
/// attaches a short-lived identity it signed (see <see cref="GatewayIdentityToken"/>).
/// In the standalone host the services' endpoints live in the same process, so there is
/// nothing to forward.
/// </summary>
public static class ServiceProxyExtensions
{
    /// <summary>One row per forwarded API: the public path, methods and scope policy.</summary>
    internal static readonly IReadOnlyList<ProxiedApi> Apis =
    [
        new("storage-events", "storage", "/v1/events/{**rest}", ["GET"], Policies.Read),
        new("storage-categories", "storage", "/v1/categories", ["GET"], Policies.Read),
        new("storage-volume", "storage", "/v1/volume", ["GET"], Policies.Read),
        new("storage-retention-read", "storage", "/v1/retention", ["GET"], Policies.Read),
        new("storage-retention-write", "storage", "/v1/retention", ["PUT"], Policies.Admin),
        new("storage-users-read", "storage", "/v1/users/{**rest}", ["GET"], Policies.Read),
        new("storage-users-identify", "storage", "/v1/users/{userId}", ["POST"], Policies.Ingest),
        new("storage-groups-read", "storage", "/v1/groups/{groupId}", ["GET"], Policies.Read),
        new("storage-metrics", "storage", "/v1/metrics/{**rest}", ["GET"], Policies.Read),
        new("storage-metrics-saved", "storage", "/v1/metrics/saved/{**rest}", ["POST", "DELETE"], Policies.Admin),
        new("storage-insights-read", "storage", "/v1/insights", ["GET"], Policies.Read),
        new("storage-insights-write", "storage", "/v1/insights", ["POST", "PATCH"], Policies.Ingest),
        new("storage-logsnag-identify", "storage", "/v1/identify", ["POST"], Policies.Ingest),
        new("storage-logsnag-insight", "storage", "/v1/insight", ["POST", "PATCH"], Policies.Ingest),
        new("storage-logsnag-group", "storage", "/v1/group", ["POST"], Policies.Ingest),
        new("storage-operational-identify", "storage", "/api/v1/identify", ["POST"], Policies.Ingest),
        new("contexts-list", "contexts", "/v1/contexts", ["GET"], Policies.Read),
        new("contexts-get", "contexts", "/v1/contexts/{contextId}", ["GET"], Policies.Read),
        new("contexts-settings-read", "contexts", "/v1/context-settings", ["GET"], Policies.Read),
        new("contexts-settings-write", "contexts", "/v1/context-settings", ["PUT"], Policies.Admin),
        new("rules-read", "rules", "/v1/rules/{**rest}", ["GET"], Policies.Read),
        new("rules-write", "rules", "/v1/rules/{**rest}", ["POST", "PUT", "DELETE"], Policies.Admin),
        new("alerts-read", "rules", "/v1/alerts", ["GET"], Policies.Read),
        new("alerts-acknowledge", "rules", "/v1/alerts/{alertId}/acknowledge", ["POST", "DELETE"], Policies.Read),
        new("alerts-acknowledge-link", "rules", "/ack/{alertId}/{expires}/{signature}", ["GET", "POST"], null),
        new("silences-read", "rules", "/v1/silences", ["GET"], Policies.Read),
        new("checks-read", "rules", "/v1/checks/{**rest}", ["GET"], Policies.Read),
        new("checks-write", "rules", "/v1/checks/{**rest}", ["POST", "PUT", "DELETE"], Policies.Admin),
        new("silences-write", "rules", "/v1/silences/{**rest}", ["POST", "DELETE"], Policies.Admin),
        new("rules-dashboard", "rules", "/hangfire/{**rest}", ["GET", "POST"], Policies.InstallationAdmin),
        new("channels-read", "notifications", "/v1/channels/{**rest}", ["GET"], Policies.Read),
        new("channels-write", "notifications", "/v1/channels/{**rest}", ["POST", "PUT", "DELETE"], Policies.Admin),
        new("push", "notifications", "/v1/push/{**rest}", ["GET", "POST", "DELETE"], Policies.Read),
        new("deliveries-read", "notifications", "/v1/deliveries", ["GET"], Policies.Read),
        new("actions-run", "notifications", "/v1/events/{eventId}/actions/{key}", ["POST"], Policies.Read),
        new("actions-list", "notifications", "/v1/events/{eventId}/actions", ["GET"], Policies.Read),
        new("actions-secret", "notifications", "/v1/action-secret", ["GET"], Policies.Admin),
        new("notification-settings-read", "notifications", "/v1/notification-settings", ["GET"], Policies.Read),
        new("notification-settings-write", "notifications", "/v1/notification-settings", ["PUT"], Policies.Admin),
    ];

    public static IHostApplicationBuilder AddServiceProxy(this IHostApplicationBuilder builder)
    {
        var addresses = builder.BindValidated<ServiceAddresses, ServiceAddressesValidator>(ServiceAddresses.SectionName);
        builder.BindValidated<InternalAuthOptions, InternalAuthOptionsValidator>(InternalAuthOptions.SectionName);

        var routes = Apis.Select(api => new RouteConfig
        {
            RouteId = api.RouteId,
            ClusterId = api.Service,
            // YARP's "anonymous": the service checks the request itself (a signed link's signature).
            AuthorizationPolicy = api.Policy ?? "anonymous",
            Match = new RouteMatch { Path = api.Path, Methods = api.Methods },
        }).ToList();

        var clusters = addresses.All().Select(service => new ClusterConfig
        {
            ClusterId = service.Service,
            Destinations = new Dictionary<string, DestinationConfig>
            {
                [service.Service] = new() { Address = service.Address },
            },
            HttpRequest = new ForwarderRequestConfig { ActivityTimeout = addresses.Timeout },
        }).ToList();

        Pings.RulesApiJobChecks.Register(builder.Services);
        builder.Services.AddHttpClient(ServiceOpenApiMerger.HttpClientName, http => http.Timeout = TimeSpan.FromSeconds(3));
        builder.Services.AddSingleton<ServiceOpenApiMerger>();
        builder.Services.Configure<Microsoft.AspNetCore.OpenApi.OpenApiOptions>(OpenApiSetup.DocumentName, options => options.AddDocumentTransformer<ServiceOpenApiMerger>());

        builder.Services.AddReverseProxy()
            .LoadFromMemory(routes, clusters)
            .AddTransforms(transforms =>
            {
                transforms.AddRequestHeaderRemove("Authorization");
                transforms.AddRequestHeaderRemove("Cookie");
                transforms.AddRequestTransform(context =>
                {
                    // Whatever the client sent under this name is dropped: only the gateway vouches.
                    context.ProxyRequest.Headers.Remove(GatewayIdentityToken.HeaderName);
                    var caller = context.HttpContext.User.ToCallerIdentity();
                    if (caller is not null)
                    {
                        var services = context.HttpContext.RequestServices;
                        var auth = services.GetRequiredService<IOptions<InternalAuthOptions>>().Value;
                        var expires = services.GetRequiredService<TimeProvider>().GetUtcNow() + auth.TokenLifetime;
                        context.ProxyRequest.Headers.Add(GatewayIdentityToken.HeaderName, GatewayIdentityToken.Create(caller, auth.Secret!, expires));
                    }

                    return ValueTask.CompletedTask;
                });
            });

        return builder;
    }

    public static IEndpointRouteBuilder MapServiceProxy(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapReverseProxy(proxy =>
        {
            proxy.Use(AnswerForwardingErrorsAsProblems);
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        return endpoints;
    }

    /// <summary>YARP answers a failed forward with an empty 502/504; clients get a problem that names the service.</summary>
    private static async Task AnswerForwardingErrorsAsProblems(HttpContext context, Func<Task> next)
    {
        await next();
        var error = context.GetForwarderErrorFeature();
        if (error is null || context.Response.HasStarted)
        {
            return;
        }

        var service = context.GetReverseProxyFeature().Route.Config.ClusterId;
        var (status, detail) = error.Error switch
        {
            ForwarderError.RequestTimedOut => (StatusCodes.Status504GatewayTimeout, $"The {service} service did not answer in time."),
            ForwarderError.RequestCanceled => (StatusCodes.Status499ClientClosedRequest, "The request was canceled."),
            _ => (StatusCodes.Status503ServiceUnavailable, $"The {service} service is unavailable."),
        };
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = "5";
        }

        await ApiProblems.WriteAsync(context, status, "Service unavailable.", detail);
    }

    /// <param name="Policy">The scope policy; null for an endpoint that authenticates its own way (a signed link).</param>
    internal sealed record ProxiedApi(string RouteId, string Service, string Path, string[] Methods, string? Policy);
}
