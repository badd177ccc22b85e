using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Operational.Contracts.Api;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;
using Operational.ServiceDefaults.Query;
using Operational.Storage.Events;
using Operational.Storage.Query;

namespace Operational.Storage.LiveFeed;

/// <summary>
/// <c>GET /v1/events/stream</c>: every event stored for the caller's project, by any storage
/// replica, as server-sent events in the order of storage. Each message's <c>id</c> is the
/// event's position; a client that reconnects with <c>Last-Event-ID</c> (browsers do it by
/// themselves) continues right after it, so nothing is missed.
/// </summary>
public static class LiveFeedEndpoints
{
    private const int ReadLimit = 500;

    public static IEndpointRouteBuilder MapLiveFeed(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/events/stream", StreamAsync)
            .RequireAuthorization(Policies.Read)
            .WithTags("Events")
            .WithName("StreamEvents");
        return endpoints;
    }

    internal static async Task<IResult> StreamAsync(
        HttpContext http,
        IEventStore store,
        StoredSignal signal,
        IOptions<LiveFeedOptions> options,
        IOptions<JsonOptions> json,
        TimeProvider clock,
        string? test,
        string? lastEventId)
    {
        if (!QueryParameters.TryParseTest(test, out var testOnly))
        {
            return ApiProblems.Validation("test", QueryParameters.TestProblem);
        }

        // The header is what EventSource sends on reconnect; the query parameter serves clients that cannot set headers.
        var resumeFrom = http.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? lastEventId;
        long? position = null;
        if (resumeFrom is not null)
        {
            if (!long.TryParse(resumeFrom, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return ApiProblems.Validation("Last-Event-ID", "must be the id of a message this stream sent (a whole number)");
            }

            position = parsed;
        }

        var projectId = http.User.GetProjectId();
        var aborted = http.RequestAborted;
        var last = position ?? await store.LatestPositionAsync(projectId, aborted);
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await response.WriteAsync("retry: 2000\n\n", aborted);
        await response.Body.FlushAsync(aborted);

        var sent = new SortedSet<long>();
        var lastWrite = clock.GetUtcNow();
        try
        {
            while (!aborted.IsCancellationRequested)
            {
                var wake = signal.Next;
                var overlap = store.LiveFeedOverlap;
                // Everything returned is unsent: past the last position, or a late one inside the overlap.
                var events = await store.ReadStoredAfterAsync(projectId, Math.Max(0, last - overlap), ReadLimit, sent, aborted);
                var wrote = false;
                foreach (var (eventPosition, e) in events)
                {
                    if (e.Test == testOnly)
                    {
                        await response.WriteAsync(Message(eventPosition, EventResponse.From(e), json.Value.SerializerOptions), aborted);
                        wrote = true;
                    }

                    if (overlap > 0)
                    {
                        sent.Add(eventPosition);
                    }

                    last = Math.Max(last, eventPosition);
                }

                if (overlap > 0)
                {
                    sent.RemoveWhere(p => p <= last - overlap);
                }

                if (wrote)
                {
                    await response.Body.FlushAsync(aborted);
                    lastWrite = clock.GetUtcNow();
                }
                else if (clock.GetUtcNow() - lastWrite >= options.Value.Heartbeat)
                {
                    await response.WriteAsync(": keepalive\n\n", aborted);
                    await response.Body.FlushAsync(aborted);
                    lastWrite = clock.GetUtcNow();
                }

                if (events.Count < ReadLimit)
                {
                    await Task.WhenAny(wake, Task.Delay(options.Value.PollInterval, clock, aborted));
                }
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away: the normal end of a stream.
        }

        return Results.Empty;
    }

    private static string Message(long position, EventResponse e, JsonSerializerOptions options) =>
        new StringBuilder()
            .Append("id: ").Append(position.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("event: event\n")
            .Append("data: ").Append(JsonSerializer.Serialize(e, options)).Append("\n\n")
            .ToString();
}
