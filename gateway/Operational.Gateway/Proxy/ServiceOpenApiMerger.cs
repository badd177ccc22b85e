using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Operational.ServiceDefaults.OpenApi;

namespace Operational.Gateway.Proxy;

/// <summary>
/// Distributed mode: the services' endpoints are reached through the gateway but described by
/// the services. This adds the forwarded services' paths and schemas to the gateway's document,
/// so <c>/openapi/v1.json</c> on the gateway is the whole public API, as in the standalone host.
/// A service that does not answer is left out and named in the document's description.
/// </summary>
internal sealed class ServiceOpenApiMerger(IHttpClientFactory clients, IOptions<ServiceAddresses> addresses, ILogger<ServiceOpenApiMerger> logger)
    : IOpenApiDocumentTransformer
{
    public const string HttpClientName = "openapi-services";

    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var forwarded = ServiceProxyExtensions.Apis.Select(api => api.Service).ToHashSet(StringComparer.Ordinal);
        var missing = new List<string>();
        var http = clients.CreateClient(HttpClientName);
        foreach (var (service, address) in addresses.Value.All().Where(s => forwarded.Contains(s.Service)))
        {
            try
            {
                var json = await http.GetStringAsync(new Uri(new Uri(address), OpenApiSetup.DocumentPath), cancellationToken);
                var serviceDocument = OpenApiDocument.Parse(json, "json").Document;
                if (serviceDocument is null)
                {
                    missing.Add(service);
                    continue;
                }

                Merge(document, serviceDocument);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or OpenApiException)
            {
                logger.LogWarning("The {Service} service's API description is unavailable ({Error}); the gateway's document leaves it out", service, e.Message);
                missing.Add(service);
            }
        }

        if (missing.Count > 0 && document.Info is not null)
        {
            document.Info.Description += $" (Not described now, because they did not answer: {string.Join(", ", missing)}.)";
        }
    }

    private static void Merge(OpenApiDocument into, OpenApiDocument from)
    {
        into.Paths ??= [];
        foreach (var (path, item) in from.Paths ?? [])
        {
            into.Paths.TryAdd(path, item);
        }

        if (from.Components?.Schemas is { } schemas)
        {
            into.Components ??= new OpenApiComponents();
            into.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
            foreach (var (name, schema) in schemas)
            {
                into.Components.Schemas.TryAdd(name, schema);
            }
        }

        foreach (var tag in from.Tags ?? Enumerable.Empty<OpenApiTag>())
        {
            into.Tags ??= new HashSet<OpenApiTag>();
            into.Tags.Add(tag);
        }
    }
}
