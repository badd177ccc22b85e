using Operational.ServiceDefaults.OpenApi;
using Scalar.AspNetCore;

namespace Operational.Gateway.Reference;

/// <summary>The interactive API reference (Scalar) at <c>/reference</c>, reading <c>/openapi/v1.json</c>.</summary>
public static class ApiReferenceExtensions
{
    public const string Path = "/reference";

    public static IEndpointRouteBuilder MapApiReference(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapScalarApiReference(Path, options => options
            .WithTitle("Operational API")
            .WithOpenApiRoutePattern(OpenApiSetup.DocumentPath)
            .AddPreferredSecuritySchemes(OpenApiSetup.BearerScheme))
            .AllowAnonymous();
        return endpoints;
    }
}
