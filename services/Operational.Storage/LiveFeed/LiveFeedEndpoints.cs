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
/// themselves) continues right after it, so nothing is missed. All streams of a project are fed by
/// one reader (<see cref="LiveFeedHub"/>); a stream that resumes first catches up alone.
/// </summary>
public static class LiveFeedEndpoints
{
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
        LiveFeedHub hub,
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

        var caller = http.User.ToCallerIdentity()!;
        var aborted = http.RequestAborted;
        var (subscription, refusal) = await hub.SubscribeAsync(caller.ProjectId, caller.KeyId, aborted);
        if (refusal is not null)
        {
            http.Response.Headers.RetryAfter = "10";
            return ApiProblems.Status(StatusCodes.Status429TooManyRequests, "Too many live streams.", refusal.Detail);
        }

        using (subscription)
        {
            var stream = new EventStream(http.Response, testOnly, json.Value.SerializerOptions);
            await stream.OpenAsync(aborted);
            try
            {
                // From where the client was (Last-Event-ID) to where the project's reader took it in: read alone.
                var written = new HashSet<long>();
                var own = new StoreTail(store, caller.ProjectId, position ?? subscription!.StartPosition);
                while (own.Position < subscription!.StartPosition)
                {
                    var events = await own.NextAsync(LiveFeedHub.ReadLimit, aborted);
                    if (events.Count == 0)
                    {
                        break;
                    }

                    await stream.WriteAsync(events, aborted);
                    // The reader may hand these out again (late positions within the store's overlap).
                    written.UnionWith(events.Select(e => e.Position).Where(p => p > subscription.StartPosition - store.LiveFeedOverlap));
                }

                // Then everything the project's reader hands out.
                Task<bool>? ready = null;
                while (true)
                {
                    ready ??= subscription.Batches.WaitToReadAsync(aborted).AsTask();
                    if (await Task.WhenAny(ready, Task.Delay(options.Value.Heartbeat, clock, aborted)) != ready)
                    {
                        await stream.KeepAliveAsync(aborted);
                        continue;
                    }

                    if (!await ready)
                    {
                        break; // fell too far behind: the client reconnects with Last-Event-ID and catches up from the store
                    }

                    ready = null;
                    while (subscription.Batches.TryRead(out var batch))
                    {
                        await stream.WriteAsync(batch.Where(e => !written.Remove(e.Position)).ToList(), aborted);
                    }
                }
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                // The client went away: the normal end of a stream.
            }
        }

        return Results.Empty;
    }

    /// <summary>One client's server-sent events.</summary>
    private sealed class EventStream(HttpResponse response, bool testOnly, JsonSerializerOptions json)
    {
        public async Task OpenAsync(CancellationToken cancellationToken)
        {
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no";
            response.HttpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            await response.WriteAsync("retry: 2000\n\n", cancellationToken);
            await response.Body.FlushAsync(cancellationToken);
        }

        public async Task WriteAsync(IReadOnlyList<PositionedEvent> events, CancellationToken cancellationToken)
        {
            var wrote = false;
            foreach (var (position, e) in events.Where(e => e.Event.Test == testOnly))
            {
                await response.WriteAsync(Message(position, EventResponse.From(e), json), cancellationToken);
                wrote = true;
            }

            if (wrote)
            {
                await response.Body.FlushAsync(cancellationToken);
            }
        }

        /// <summary>A comment line, so proxies do not close an idle stream.</summary>
        public async Task KeepAliveAsync(CancellationToken cancellationToken)
        {
            await response.WriteAsync(": keepalive\n\n", cancellationToken);
            await response.Body.FlushAsync(cancellationToken);
        }
    }

    private static string Message(long position, EventResponse e, JsonSerializerOptions options) =>
        new StringBuilder()
            .Append("id: ").Append(position.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("event: event\n")
            .Append("data: ").Append(JsonSerializer.Serialize(e, options)).Append("\n\n")
            .ToString();
}
