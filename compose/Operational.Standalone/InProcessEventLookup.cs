using Microsoft.Extensions.DependencyInjection.Extensions;
using Operational.Contracts.Api;
using Operational.Notifications.Actions;
using Operational.Storage.Events;

namespace Operational.Standalone;

/// <summary>
/// In the standalone host the storage module lives in the same process, so the event whose action
/// is pressed is read through the storage module's own query (what <c>GET /v1/events/{id}</c>
/// answers). The distributed notifications service asks storage's API (<see cref="StorageApiEvents"/>).
/// </summary>
internal sealed class InProcessEventLookup(IEventStore store) : IEventLookup
{
    public async Task<EventResponse?> GetEventAsync(string projectId, string eventId, string? forwardedIdentity, CancellationToken cancellationToken) =>
        await store.GetAsync(projectId, eventId, cancellationToken) is { } e ? EventResponse.From(e) : null;
}

internal static class InProcessEventLookupRegistration
{
    public static IHostApplicationBuilder UseInProcessEventLookup(this IHostApplicationBuilder builder)
    {
        builder.Services.Replace(ServiceDescriptor.Singleton<IEventLookup, InProcessEventLookup>());
        return builder;
    }
}
