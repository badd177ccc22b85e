using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Operational.Contracts.Events;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;

namespace Operational.Gateway.Ingest;

/// <summary>The response to an accepted event.</summary>
public sealed record IngestAccepted(string Id);

/// <summary>The outcome of one item of a batch, in request order.</summary>
/// <param name="Index">Position in the request's <c>events</c> array.</param>
/// <param name="Status"><c>accepted</c>, <c>invalid</c> or <c>unavailable</c> (retry it).</param>
public sealed record BatchItemResult(int Index, string Status, string? Id = null, IDictionary<string, string[]>? Errors = null);

/// <summary>The response to <c>POST /v1/events/batch</c>.</summary>
public sealed record BatchResult(int Accepted, int Invalid, int Unavailable, IReadOnlyList<BatchItemResult> Results);

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
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapPost("/batch", IngestBatch)
            .WithName("IngestBatch")
            .Produces<BatchResult>(StatusCodes.Status200OK)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return group;
    }

    internal static async Task<IResult> IngestEvent(HttpContext http, IngestPublisher publisher, IOptions<IngestOptions> options, TimeProvider clock)
    {
        var body = await JsonBody.ReadAsync(http.Request, options.Value.MaxEventBodyBytes, http.RequestAborted);
        return body.Error ?? await AcceptOneAsync(http, body, EventDialect.Native, publisher, options.Value, clock, Accepted202);
    }

    private static IResult Accepted202(IngestedEvent e) => TypedResults.Accepted($"/v1/events/{e.Id}", new IngestAccepted(e.Id));

    /// <summary>Validates one event body in <paramref name="dialect"/> and publishes it; shared by the native and compatible endpoints.</summary>
    internal static async Task<IResult> AcceptOneAsync(
        HttpContext http,
        JsonBody.Result body,
        EventDialect dialect,
        IngestPublisher publisher,
        IngestOptions options,
        TimeProvider clock,
        Func<IngestedEvent, IResult> accepted)
    {
        var now = Now(clock);
        var errors = new Dictionary<string, string[]>();
        EventDraft? draft;
        using (body.Document)
        {
            draft = EventValidator.Validate(body.Document!.RootElement, dialect, now, errors);
        }

        if (draft is null)
        {
            return ApiProblems.Validation(errors);
        }

        var e = draft.ToIngested(http.User.GetProjectId(), now);
        var outcome = await publisher.PublishAsync(e, body.Size);
        return outcome == IngestOutcome.Accepted ? accepted(e) : Refused(http, outcome, options.RetryAfterSeconds);
    }

    internal static async Task<IResult> IngestBatch(HttpContext http, IngestPublisher publisher, IOptions<IngestOptions> options, TimeProvider clock)
    {
        var body = await JsonBody.ReadAsync(http.Request, options.Value.MaxBatchRequestBytes, http.RequestAborted);
        if (body.Error is not null)
        {
            return body.Error;
        }

        var now = Now(clock);
        var projectId = http.User.GetProjectId();
        var results = new BatchItemResult[0];
        var pending = new List<(int Index, IngestedEvent Event, Task<IngestOutcome> Outcome)>();
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
            var index = 0;
            foreach (var item in events.EnumerateArray())
            {
                var errors = new Dictionary<string, string[]>();
                var draft = EventValidator.Validate(item, EventDialect.Native, now, errors);
                if (draft is null)
                {
                    results[index] = new BatchItemResult(index, "invalid", Errors: errors);
                }
                else
                {
                    var e = draft.ToIngested(projectId, now);
                    pending.Add((index, e, publisher.PublishAsync(e, item.GetRawText().Length)));
                }

                index++;
            }
        }

        if (pending.Count == 0)
        {
            // Nothing to accept: a client error as a whole, each item's problems under events[i].
            return ApiProblems.Validation(results
                .SelectMany(r => r.Errors!.Select(e => ($"events[{r.Index}].{e.Key}", e.Value)))
                .ToDictionary(e => e.Item1, e => e.Value));
        }

        await Task.WhenAll(pending.Select(p => p.Outcome));
        var refusal = IngestOutcome.Accepted;
        foreach (var (index, e, outcome) in pending)
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

        var summary = new BatchResult(
            results.Count(r => r.Status == "accepted"),
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

    /// <summary>Millisecond precision end to end: what is read back equals what was stored, on every provider.</summary>
    private static DateTimeOffset Now(TimeProvider clock) => DateTimeOffset.FromUnixTimeMilliseconds(clock.GetUtcNow().ToUnixTimeMilliseconds());

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
