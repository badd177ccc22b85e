using Microsoft.Extensions.Options;
using Operational.Contracts.Events;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;

namespace Operational.Gateway.Ingest;

/// <summary>The response to an accepted event.</summary>
public sealed record IngestAccepted(string Id);

/// <summary><c>POST /v1/events</c>: validate, make durable through the group commit, answer 202.</summary>
public static class IngestEndpoints
{
    public static RouteGroupBuilder MapIngest(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/v1")
            .RequireAuthorization(Policies.Ingest)
            .WithTags("Ingest");

        group.MapPost("/events", IngestEvent)
            .WithName("IngestEvent")
            .Produces<IngestAccepted>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return group;
    }

    internal static async Task<IResult> IngestEvent(
        HttpContext http,
        IngestPublisher publisher,
        IOptions<IngestOptions> options,
        TimeProvider clock)
    {
        var body = await JsonBody.ReadAsync(http.Request, options.Value.MaxEventBodyBytes, http.RequestAborted);
        if (body.Error is not null)
        {
            return body.Error;
        }

        var errors = new Dictionary<string, string[]>();
        EventFields? fields;
        using (body.Document)
        {
            fields = EventValidator.Validate(body.Document!.RootElement, errors);
        }

        if (fields is null)
        {
            return ApiProblems.Validation(errors);
        }

        // Millisecond precision end to end: what is read back equals what was stored, on every provider.
        var now = DateTimeOffset.FromUnixTimeMilliseconds(clock.GetUtcNow().ToUnixTimeMilliseconds());
        var e = new IngestedEvent(
            Id: Guid.CreateVersion7(now).ToString(),
            ProjectId: http.User.GetProjectId(),
            Name: fields.Name,
            Avatar: fields.Avatar,
            Category: fields.Category,
            Content: fields.Content,
            Timestamp: now,
            ReceivedAt: now);

        var outcome = await publisher.PublishAsync(e, body.Size);
        return outcome == IngestOutcome.Accepted
            ? TypedResults.Accepted($"/v1/events/{e.Id}", new IngestAccepted(e.Id))
            : Refused(http, outcome, options.Value.RetryAfterSeconds);
    }

    /// <summary>Never a false 202: the client is told the event was not taken and when to retry.</summary>
    internal static IResult Refused(HttpContext http, IngestOutcome outcome, int retryAfterSeconds)
    {
        var retryAfter = outcome == IngestOutcome.Overloaded ? 1 : retryAfterSeconds;
        http.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var detail = outcome switch
        {
            IngestOutcome.Overloaded => "Too many events are waiting to be published. The event was not accepted; retry shortly.",
            IngestOutcome.ShuttingDown => "This gateway is shutting down. The event was not accepted; retry (another replica may take it).",
            _ => "The message bus cannot take events right now. The event was not accepted; retry later.",
        };
        return ApiProblems.Status(StatusCodes.Status503ServiceUnavailable, "Event not accepted.", detail);
    }
}
