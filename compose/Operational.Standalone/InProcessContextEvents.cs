using Microsoft.Extensions.DependencyInjection.Extensions;
using Operational.Contexts.Query;
using Operational.Contracts.Api;
using Operational.Storage.Events;

namespace Operational.Standalone;

/// <summary>
/// In the standalone host the storage module lives in the same process, so a context's events
/// come from the storage module's own query (the one behind <c>GET /v1/events?contextId=</c>),
/// with the same answer shape, without a loopback HTTP call. The distributed contexts service
/// calls storage's HTTP API instead (<see cref="StorageApiContextEvents"/>).
/// </summary>
internal sealed class InProcessContextEvents(IEventStore store) : IContextEventSource
{
    public async Task<ContextEvents> ReadAsync(ContextEventsRequest request, CancellationToken cancellationToken)
    {
        var events = new List<EventResponse>();
        EventCursor? after = null;
        do
        {
            var query = new EventQuery(Math.Min(EventQuery.MaxLimit, request.Max - events.Count), after) { ContextId = request.ContextId, Test = request.Test };
            var page = await store.ListAsync(request.ProjectId, query, cancellationToken);
            events.AddRange(page.Events.Select(EventResponse.From));
            after = page.Next;
        }
        while (after is not null && events.Count < request.Max);

        events.Reverse();
        return new ContextEvents(events, after is not null);
    }
}

internal static class InProcessContextEventsRegistration
{
    public static IHostApplicationBuilder UseInProcessContextEvents(this IHostApplicationBuilder builder)
    {
        builder.Services.Replace(ServiceDescriptor.Singleton<IContextEventSource, InProcessContextEvents>());
        return builder;
    }
}
