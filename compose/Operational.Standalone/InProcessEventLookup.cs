using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Operational.Notifications.Actions;
using Operational.Storage.Events;
using Operational.Storage.Query;

namespace Operational.Standalone;

/// <summary>
/// In the standalone host the storage module lives in the same process, so the event whose action
/// is pressed is read through the storage module's own query (what <c>GET /v1/events/{id}</c>
/// answers). The distributed notifications service asks storage's API (<see cref="StorageApiEvents"/>).
/// </summary>
internal sealed class InProcessEventLookup(IEventStore store, IOptions<JsonOptions> json) : IEventLookup
{
    public async Task<JsonElement?> GetEventAsync(string projectId, string eventId, string? forwardedIdentity, CancellationToken cancellationToken) =>
        await store.GetAsync(projectId, eventId, cancellationToken) is { } e
            ? JsonSerializer.SerializeToElement(EventResponse.From(e), json.Value.SerializerOptions)
            : null;
}

internal static class InProcessEventLookupRegistration
{
    public static IHostApplicationBuilder UseInProcessEventLookup(this IHostApplicationBuilder builder)
    {
        builder.Services.Replace(ServiceDescriptor.Singleton<IEventLookup, InProcessEventLookup>());
        return builder;
    }
}
