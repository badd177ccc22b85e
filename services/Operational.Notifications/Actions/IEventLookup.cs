using Microsoft.Extensions.Options;
using Operational.Contracts.Api;
using Operational.ServiceDefaults.ServiceApis;

namespace Operational.Notifications.Actions;

/// <summary>Reads one event: the storage service owns events, so it comes from its API.</summary>
public interface IEventLookup
{
    /// <summary>The event as <c>GET /v1/events/{id}</c> shows it, or null when the project has none with that id.</summary>
    /// <exception cref="ServiceApiUnavailableException">The storage service could not be asked.</exception>
    Task<EventResponse?> GetEventAsync(string projectId, string eventId, string? forwardedIdentity, CancellationToken cancellationToken);
}

/// <summary>Distributed mode: <c>GET /v1/events/{id}</c> on the storage service, as the caller.</summary>
public sealed class StorageApiEvents(HttpClient http) : IEventLookup
{
    public const string HttpClientName = "storage-api";

    public Task<EventResponse?> GetEventAsync(string projectId, string eventId, string? forwardedIdentity, CancellationToken cancellationToken) =>
        http.FindJsonAsync<EventResponse>("storage", $"/v1/events/{Uri.EscapeDataString(eventId)}", forwardedIdentity, cancellationToken);
}

public static class EventLookupRegistration
{
    public static IServiceCollection AddStorageApiEvents(this IServiceCollection services)
    {
        services.AddHttpClient<IEventLookup, StorageApiEvents>(StorageApiEvents.HttpClientName, (provider, http) =>
        {
            var options = provider.GetRequiredService<IOptions<NotificationsOptions>>().Value;
            http.BaseAddress = new Uri(options.StorageApi);
            http.Timeout = TimeSpan.FromSeconds(10);
        });
        return services;
    }
}
