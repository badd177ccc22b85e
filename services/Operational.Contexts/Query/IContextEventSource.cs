using Microsoft.Extensions.Options;
using Operational.Contracts.Api;
using Operational.ServiceDefaults.ServiceApis;

namespace Operational.Contexts.Query;

/// <summary>What to fetch: a context's events, on behalf of the caller whose identity the gateway signed.</summary>
public sealed record ContextEventsRequest(string ProjectId, string ContextId, bool Test, int Max, string? ForwardedIdentity);

/// <summary>The latest <c>Max</c> events of a context, oldest first, as the storage API returns events.</summary>
public sealed record ContextEvents(IReadOnlyList<EventResponse> Events, bool Truncated);

/// <summary>
/// Where the contexts API gets a context's events: the storage service owns them, so they come
/// from its API, never from its database.
/// </summary>
public interface IContextEventSource
{
    /// <exception cref="ServiceApiUnavailableException">The storage service did not answer usefully.</exception>
    Task<ContextEvents> ReadAsync(ContextEventsRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// Distributed mode: <c>GET /v1/events?contextId=…</c> on the storage service, forwarding the
/// identity the gateway signed for the caller (so storage applies the caller's own scope and
/// project), following the cursor until <c>Max</c> events.
/// </summary>
public sealed class StorageApiContextEvents(HttpClient http) : IContextEventSource
{
    public const string HttpClientName = "storage-api";

    private const int PageSize = 500;

    public async Task<ContextEvents> ReadAsync(ContextEventsRequest request, CancellationToken cancellationToken)
    {
        var events = new List<EventResponse>();
        string? cursor = null;
        do
        {
            var limit = Math.Min(PageSize, request.Max - events.Count);
            var path = $"/v1/events?contextId={Uri.EscapeDataString(request.ContextId)}&limit={limit}&test={(request.Test ? "true" : "false")}" +
                       (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            var page = await http.GetJsonAsync<EventListResponse>("storage", path, request.ForwardedIdentity, cancellationToken);
            events.AddRange(page.Events);
            cursor = page.NextCursor;
        }
        while (cursor is not null && events.Count < request.Max);

        events.Reverse(); // storage lists newest first; a context reads oldest first
        return new ContextEvents(events, cursor is not null);
    }
}

public static class ContextEventSourceRegistration
{
    public static IServiceCollection AddStorageApiContextEvents(this IServiceCollection services)
    {
        services.AddHttpClient<IContextEventSource, StorageApiContextEvents>(StorageApiContextEvents.HttpClientName, (provider, http) =>
        {
            var options = provider.GetRequiredService<IOptions<ContextsOptions>>().Value;
            http.BaseAddress = new Uri(options.StorageApi);
            http.Timeout = options.StorageTimeout;
        });
        return services;
    }
}
