using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Operational.ServiceDefaults.OpenApi;

/// <summary>
/// Every process describes its own endpoints at <c>/openapi/v1.json</c>; the gateway serves the
/// whole public API there (its own endpoints plus, in distributed mode, the services' it forwards).
/// </summary>
public static class OpenApiSetup
{
    public const string DocumentName = "v1";

    public const string DocumentPath = "/openapi/v1.json";

    public const string BearerScheme = "bearer";

    public static IServiceCollection AddOperationalOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options => options.AddOperationTransformer(DescribeJsonBodyAsync).AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Operational API",
                Version = "v1",
                Description = "Send events, read them back, follow them live, manage projects and keys. " +
                              "Authenticate with 'Authorization: Bearer <API key>'.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key of the project: op_ingest_… (send only), op_read_…, op_admin_….",
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] }];
            return Task.CompletedTask;
        }));

    /// <summary>A <see cref="Requests.JsonBody{T}"/> parameter binds itself, so its schema is added here.</summary>
    private static async Task DescribeJsonBodyAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<Requests.JsonBodyMetadata>().FirstOrDefault() is not { } body)
        {
            return;
        }

        var schema = await context.GetOrCreateSchemaAsync(body.Type, null, cancellationToken);
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
        };
    }

    public static WebApplication MapOperationalOpenApi(this WebApplication app)
    {
        app.MapOpenApi(DocumentPath).AllowAnonymous();
        return app;
    }
}
