using System.Text.Json;
using Microsoft.Extensions.Options;
using Operational.Contracts.Events;
using Operational.Gateway.Ingest.Duplicates;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;
using Operational.ServiceDefaults.Requests;

namespace Operational.Gateway.Ingest.Compatibility;

/// <summary>
/// LogSnag's <c>POST /v1/log</c> with the project's ingest key as the bearer token, so an app using
/// a LogSnag SDK moves here by changing its base URL. The event is accepted durably, as on
/// <c>/v1/events</c>; the answer is 200 with the log as LogSnag's fields and the event's id
/// (LogSnag documents only "200 OK"). Its users, insights and groups endpoints are the storage
/// service's (<c>/v1/identify</c>, <c>/v1/insight</c>, <c>/v1/group</c>).
/// </summary>
public static class LogSnagLogEndpoints
{
    public static IEndpointRouteBuilder MapLogSnagLog(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/log", Log)
            .RequireAuthorization(Policies.Ingest)
            .WithTags("LogSnag compatibility")
            .WithName("LogSnagLog")
            .Produces<LogSnagLogAnswer>()
            .ProducesIngestProblems();
        return endpoints;
    }

    private static async Task<IResult> Log(HttpContext http, IngestPublisher publisher, AcceptedIds acceptedIds, IOptions<IngestOptions> options, TimeProvider clock)
    {
        var body = await JsonRequestBody.ReadAsync(http.Request, options.Value.MaxEventBodyBytes, http.RequestAborted);
        return body.Error ?? await IngestEndpoints.AcceptOneAsync(http, body, LogSnagEvents.Validate, publisher, acceptedIds, options.Value, clock,
            (e, _) => TypedResults.Ok(LogSnagLogAnswer.From(e)));
    }
}

/// <summary>The accepted log, as LogSnag names its fields, and the id to read it back with (<c>GET /v1/events/{id}</c>).</summary>
public sealed record LogSnagLogAnswer(
    string Id, string Project, string? Channel, string Event, JsonElement? Description, string? Icon, bool Notify,
    IReadOnlyDictionary<string, JsonElement>? Tags, [property: System.Text.Json.Serialization.JsonPropertyName("user_id")] string? UserId, long Timestamp)
{
    public static LogSnagLogAnswer From(IngestedEvent e) =>
        new(e.Id, e.ProjectId, e.Category, e.Name, e.Content, e.Avatar, e.Notify, e.Tags, e.UserId, e.Timestamp.ToUnixTimeSeconds());
}
