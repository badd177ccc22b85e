using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Operational.ServiceDefaults.ServiceApis;

/// <summary>Names the service that owns an endpoint of the public API.</summary>
public sealed record ServiceApiMetadata(string Service);

public static class ServiceApiEndpoints
{
    /// <summary>
    /// The group a service maps its public API in. Every endpoint in it is marked with
    /// <see cref="ServiceApiMetadata"/>: in distributed mode the gateway must forward each one with
    /// the same scope policy, which a test checks against the gateway's proxy table.
    /// </summary>
    public static RouteGroupBuilder MapServiceApi(this IEndpointRouteBuilder endpoints, string service) =>
        endpoints.MapGroup("").WithMetadata(new ServiceApiMetadata(service));
}
