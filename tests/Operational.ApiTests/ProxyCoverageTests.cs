using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Extensions.DependencyInjection;
using Operational.Gateway.Proxy;
using Operational.ServiceDefaults.ServiceApis;

namespace Operational.ApiTests;

/// <summary>
/// The standalone host calls every module's endpoints in-process, so a service route the gateway's
/// proxy table lacks (or forwards with another scope policy) would pass every standalone test and
/// fail only when distributed. This enumerates every endpoint the services map and routes it
/// through the gateway's table as YARP would.
/// </summary>
public sealed class ProxyCoverageTests : IClassFixture<StandaloneFactory>
{
    private readonly IReadOnlyList<ServiceEndpoint> _endpoints;

    public ProxyCoverageTests(StandaloneFactory factory)
    {
        _ = factory.Server; // builds the host, and with it its endpoints
        _endpoints = ServiceEndpoints(factory.Services.GetRequiredService<EndpointDataSource>());
    }

    [Fact]
    public void Every_service_endpoint_is_forwarded_by_the_gateway_to_its_service_with_the_same_policy()
    {
        Assert.True(_endpoints.Count > 20, $"only {_endpoints.Count} service endpoints found");
        var problems = new List<string>();
        foreach (var endpoint in _endpoints)
        {
            foreach (var method in endpoint.Methods)
            {
                var route = Route(endpoint.SamplePath, method);
                if (route is null)
                {
                    problems.Add($"{method} {endpoint.Pattern} ({endpoint.Service}): the gateway forwards no route for it");
                }
                else if (route.Service != endpoint.Service || route.Policy != endpoint.Policy)
                {
                    problems.Add($"{method} {endpoint.Pattern} ({endpoint.Service}, policy {endpoint.Policy ?? "none"}): " +
                                 $"the gateway's route {route.RouteId} sends it to {route.Service} with policy {route.Policy}");
                }
            }
        }

        Assert.True(problems.Count == 0, "Add or fix rows in ServiceProxyExtensions.Apis:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void Every_gateway_route_forwards_an_endpoint_of_its_service()
    {
        var used = _endpoints
            .SelectMany(e => e.Methods.Select(m => Route(e.SamplePath, m)?.RouteId))
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);

        var unused = ServiceProxyExtensions.Apis.Select(api => api.RouteId).Where(id => !used.Contains(id)).ToList();
        Assert.True(unused.Count == 0, "These gateway routes forward nothing any service maps: " + string.Join(", ", unused));
    }

    /// <summary>The gateway route YARP picks for a request: the most specific matching template, as ASP.NET routing orders them.</summary>
    private static ServiceProxyExtensions.ProxiedApi? Route(string path, string method) =>
        ServiceProxyExtensions.Apis
            .Where(api => api.Methods.Contains(method, StringComparer.OrdinalIgnoreCase))
            .Select(api => (Api: api, Template: TemplateParser.Parse(api.Path)))
            .Where(candidate => new TemplateMatcher(candidate.Template, new RouteValueDictionary()).TryMatch(path, new RouteValueDictionary()))
            .OrderBy(candidate => RoutePrecedence.ComputeInbound(candidate.Template))
            .Select(candidate => candidate.Api)
            .FirstOrDefault();

    private static List<ServiceEndpoint> ServiceEndpoints(EndpointDataSource source) =>
        source.Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<ServiceApiMetadata>() is not null)
            .Select(e => new ServiceEndpoint(
                e.Metadata.GetMetadata<ServiceApiMetadata>()!.Service,
                e.RoutePattern.RawText ?? "",
                SamplePath(e.RoutePattern),
                e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET", "POST", "PUT", "DELETE", "PATCH"],
                e.Metadata.GetOrderedMetadata<IAuthorizeData>().LastOrDefault(a => a.Policy is not null)?.Policy))
            .ToList();

    /// <summary>A concrete path the pattern matches: every parameter gets a value, a catch-all two segments.</summary>
    private static string SamplePath(RoutePattern pattern) =>
        "/" + string.Join('/', pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart { IsCatchAll: true } => "any/thing",
            RoutePatternParameterPart => "x1",
            RoutePatternSeparatorPart separator => separator.Content,
            _ => "",
        }))));

    private sealed record ServiceEndpoint(string Service, string Pattern, string SamplePath, IReadOnlyList<string> Methods, string? Policy);
}
