using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Operational.Gateway.Ingest.Validation;
using Operational.ServiceDefaults.Requests;
using Operational.ServiceDefaults.Validation;
using Operational.Contracts.Events;
using Operational.Gateway.Ingest.Duplicates;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;
using Operational.ServiceDefaults.Time;

namespace Operational.Gateway.Ingest;

/// <summary>The response to an accepted event; <see cref="Duplicate"/> is true when the id was sent before (and nothing was published).</summary>
public sealed record IngestAccepted(string Id, bool? Duplicate = null);

/// <summary>The outcome of one item of a batch, in request order.</summary>
/// <param name="Index">Position in the request's <c>events</c> array.</param>
/// <param name="Status"><c>accepted</c>, <c>duplicate</c> (its id was sent before; stored once), <c>invalid</c> or <c>unavailable</c> (retry it).</param>
public sealed record BatchItemResult(int Index, string Status, string? Id = null, IDictionary<string, string[]>? Errors = null);

/// <summary>The response to <c>POST /v1/events/batch</c>.</summary>
public sealed record BatchResult(int Accepted, int Duplicate, int Invalid, int Unavailable, IReadOnlyList<BatchItemResult> Results);

/// <summary><c>POST /v1/events</c> and <c>/v1/events/batch</c>: validate, make durable through the group commit, answer.</summary>
public static class IngestEndpoints
{
    /// <summary>Most events in one <c>POST /v1/events/batch</c>.</summary>
    public const int MaxBatchRequestEvents = 1000;

    public static RouteGroupBuilder MapIngest(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/v1/events")
            .RequireAuthorization(Policies.Ingest)
            .WithTags("Ingest");

        group.MapPost("", IngestEvent)
            .WithName("IngestEvent")
            .Produces<IngestAccepted>(StatusCodes.Status202Accepted)
            .ProducesIngestProblems();

        group.MapPost("/batch", IngestBatch)
            .WithName("IngestBatch")
            .Produces<BatchResult>(StatusCodes.Status200OK)
            .ProducesIngestProblems();
        return group;
    }

    /// <summary>What every ingest endpoint may answer besides success.</summary>
    internal static RouteHandlerBuilder ProducesIngestProblems(this RouteHandlerBuilder endpoint) => endpoint
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    internal static async Task<IResult> IngestEvent(
        HttpContext http, IngestPublisher publisher, AcceptedIds acceptedIds, IOptions<IngestOptions> options, TimeProvider clock)
    {
        var body = await JsonRequestBody.ReadAsync(http.Request, options.Value.MaxEventBodyBytes, http.RequestAborted);
        return body.Error ?? await AcceptOneAsync(http, body, (json, now, errors) => EventValidator.Validate(json, now, errors), publisher, acceptedIds, options.Value, clock,
            (e, duplicate) => duplicate
                ? TypedResults.Ok(new IngestAccepted(e.Id, Duplicate: true))
                : TypedResults.Accepted($"/v1/events/{e.Id}", new IngestAccepted(e.Id)));
    }

    /// <summary>
    /// Validates one event body with <paramref name="validate"/> (the native format, or a compatible
    /// API's rewritten into it) and publishes it unless its id was sent before; shared by the native
    /// and compatible endpoints, which word the answer.
    /// </summary>
    internal static async Task<IResult> AcceptOneAsync(
        HttpContext http,
        JsonRequestBody.Result body,
        Func<JsonElement, DateTimeOffset, FieldErrors, EventDraft?> validate,
        IngestPublisher publisher,
        AcceptedIds acceptedIds,
        IngestOptions options,
        TimeProvider clock,
        Func<IngestedEvent, bool, IResult> accepted)
    {
        var now = clock.GetUtcNowMs();
        var errors = new FieldErrors();
        EventDraft? draft;
        using (body.Document)
        {
            draft = validate(body.Document!.RootElement, now, errors);
        }

        if (draft is null)
        {
            return ApiProblems.Validation(errors);
        }

        var e = draft.ToIngested(http.User.GetProjectId(), now);
        if (draft.ClientId is { } clientId && (await acceptedIds.KnownAsync(e.ProjectId, [clientId], http.RequestAborted)).Contains(clientId))
        {
            return accepted(e, true);
        }

        var outcome = await publisher.PublishAsync(e, body.Size);
        if (outcome != IngestOutcome.Accepted)
        {
            return Refused(http, outcome, options.RetryAfterSeconds);
        }

        if (draft.ClientId is not null)
        {
            await acceptedIds.RememberAsync(e.ProjectId, [e.Id], now);
        }

        return accepted(e, false);
    }

    internal static async Task<IResult> IngestBatch(
        HttpContext http, IngestPublisher publisher, AcceptedIds acceptedIds, IOptions<IngestOptions> options, TimeProvider clock)
    {
        var body = await JsonRequestBody.ReadAsync(http.Request, options.Value.MaxBatchRequestBytes, http.RequestAborted);
        if (body.Error is not null)
        {
            return body.Error;
        }

        var now = clock.GetUtcNowMs();
        var projectId = http.User.GetProjectId();
        BatchItemResult[] results;
        var pending = new List<(int Index, IngestedEvent Event, bool ClientId, Task<IngestOutcome> Outcome)>();
        using (body.Document)
        {
            var root = body.Document!.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("events", out var events) || events.ValueKind != JsonValueKind.Array)
            {
                return ApiProblems.Validation("events", "is required: send {\"events\": [ {\"name\": \"…\"}, … ]}");
            }

            foreach (var property in root.EnumerateObject().Where(p => p.Name != "events"))
            {
                return ApiProblems.Validation(property.Name, "is not a field of a batch; the only field is events");
            }

            var count = events.GetArrayLength();
            if (count is 0 or > MaxBatchRequestEvents)
            {
                return ApiProblems.Validation("events", $"must hold 1 to {MaxBatchRequestEvents} events; it has {count}");
            }

            results = new BatchItemResult[count];
            // The publisher's byte cap is approximate; an even share of the body avoids re-serializing each item.
            var itemSize = body.Size / count;
            var valid = new List<(int Index, IngestedEvent Event, bool ClientId, long Size)>(count);
            var index = 0;
            foreach (var item in events.EnumerateArray())
            {
                var errors = new FieldErrors();
                var draft = EventValidator.Validate(item, now, errors);
                if (draft is null)
                {
                    results[index] = new BatchItemResult(index, "invalid", Errors: errors.ToDictionary());
                }
                else
                {
                    valid.Add((index, draft.ToIngested(projectId, now), draft.ClientId is not null, itemSize));
                }

                index++;
            }

            var clientIds = valid.Where(v => v.ClientId).Select(v => v.Event.Id).Distinct(StringComparer.Ordinal).ToList();
            var known = await acceptedIds.KnownAsync(projectId, clientIds, http.RequestAborted);
            var inThisBatch = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (itemIndex, e, hasClientId, size) in valid)
            {
                if (hasClientId && (known.Contains(e.Id) || !inThisBatch.Add(e.Id)))
                {
                    results[itemIndex] = new BatchItemResult(itemIndex, "duplicate", e.Id);
                }
                else
                {
                    pending.Add((itemIndex, e, hasClientId, publisher.PublishAsync(e, size)));
                }
            }
        }

        if (pending.Count == 0 && results.All(r => r.Status == "invalid"))
        {
            // Nothing to accept: a client error as a whole, each item's problems under events[i].
            return ApiProblems.Validation(results
                .SelectMany(r => r.Errors!.Select(e => ($"events[{r.Index}].{e.Key}", e.Value)))
                .ToDictionary(e => e.Item1, e => e.Value));
        }

        await Task.WhenAll(pending.Select(p => p.Outcome));
        var refusal = IngestOutcome.Accepted;
        foreach (var (index, e, _, outcome) in pending)
        {
            var result = await outcome;
            results[index] = result == IngestOutcome.Accepted
                ? new BatchItemResult(index, "accepted", e.Id)
                : new BatchItemResult(index, "unavailable", e.Id);
            if (result != IngestOutcome.Accepted)
            {
                refusal = result;
            }
        }

        var acceptedClientIds = pending.Where(p => p.ClientId && p.Outcome.Result == IngestOutcome.Accepted).Select(p => p.Event.Id).ToList();
        await acceptedIds.RememberAsync(projectId, acceptedClientIds, now);

        var summary = new BatchResult(
            results.Count(r => r.Status == "accepted"),
            results.Count(r => r.Status == "duplicate"),
            results.Count(r => r.Status == "invalid"),
            results.Count(r => r.Status == "unavailable"),
            results);
        if (summary.Unavailable > 0)
        {
            // Some or all valid events were not taken: 503 so generic clients retry, with the per-item detail.
            SetRetryAfter(http, refusal, options.Value.RetryAfterSeconds);
            return TypedResults.Json(summary, statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        return TypedResults.Ok(summary);
    }

    /// <summary>Never a false 202: the client is told the event was not taken and when to retry.</summary>
    internal static IResult Refused(HttpContext http, IngestOutcome outcome, int retryAfterSeconds)
    {
        SetRetryAfter(http, outcome, retryAfterSeconds);
        var detail = outcome switch
        {
            IngestOutcome.Overloaded => "Too many events are waiting to be published. The event was not accepted; retry shortly.",
            IngestOutcome.ShuttingDown => "This gateway is shutting down. The event was not accepted; retry (another replica may take it).",
            _ => "The message bus cannot take events right now. The event was not accepted; retry later.",
        };
        return ApiProblems.Status(StatusCodes.Status503ServiceUnavailable, "Event not accepted.", detail);
    }

    private static void SetRetryAfter(HttpContext http, IngestOutcome outcome, int retryAfterSeconds)
    {
        var retryAfter = outcome == IngestOutcome.Overloaded ? 1 : retryAfterSeconds;
        http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
    }
}
