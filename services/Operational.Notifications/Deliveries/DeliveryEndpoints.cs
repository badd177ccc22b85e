using Microsoft.AspNetCore.Http.HttpResults;
using Operational.Notifications.Channels;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;
using Operational.ServiceDefaults.Query;
using Operational.ServiceDefaults.Validation;

namespace Operational.Notifications.Deliveries;

public sealed record DeliveryResponse(
    string Id, string ChannelId, string Type, string Title, string Status, int Attempts, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? NextAttemptAt, string? LastError, int? LastStatusCode)
{
    public static DeliveryResponse From(Delivery d) => new(d.Id, d.ChannelId, d.Message.Type, d.Message.Title, d.Status, d.Attempts, d.CreatedAt, d.UpdatedAt,
        d.Status == DeliveryStatus.Pending ? d.NextAttemptAt : null, d.LastError, d.LastStatusCode);
}

public sealed record DeliveryListResponse(IReadOnlyList<DeliveryResponse> Deliveries, string? NextCursor);

/// <summary><c>GET /v1/deliveries</c> (read) and <c>POST /v1/channels/{id}/test</c> (admin).</summary>
public static class DeliveryEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static IEndpointRouteBuilder MapDeliveries(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/deliveries", ListAsync).RequireAuthorization(Policies.Read).WithTags("Channels").WithName("ListDeliveries");
        endpoints.MapPost("/v1/channels/{channelId}/test", TestAsync).RequireAuthorization(Policies.Admin).WithTags("Channels").WithName("TestChannel");
        return endpoints;
    }

    private static async Task<Results<Ok<DeliveryListResponse>, ValidationProblem>> ListAsync(
        HttpContext http, IDeliveryStore store, string? channelId, string? status, string? limit, string? cursor, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var pageSize = QueryParameters.Limit(limit, DefaultLimit, MaxLimit, errors);
        if (status is not null && !DeliveryStatus.All.Contains(status))
        {
            errors.Add("status", $"must be one of {string.Join(", ", DeliveryStatus.All)}");
        }

        if (cursor is not null && !DeliveryCursor.TryDecode(cursor, out _, out _))
        {
            errors.Add("cursor", QueryParameters.CursorProblem);
        }

        if (!errors.IsEmpty)
        {
            return ApiProblems.Validation(errors);
        }

        var page = await store.ListDeliveriesAsync(http.User.GetProjectId(), QueryParameters.Filter(channelId), status, pageSize, cursor, ct);
        return TypedResults.Ok(new DeliveryListResponse(page.Deliveries.Select(DeliveryResponse.From).ToList(), page.NextCursor));
    }

    /// <summary>Queues a test message to the channel; the answer names the delivery to follow in <c>GET /v1/deliveries</c>.</summary>
    private static async Task<Results<Accepted<DeliveryResponse>, ProblemHttpResult>> TestAsync(
        HttpContext http, string channelId, IChannelStore channels, IDeliveryStore store, DeliveriesQueued queued, TimeProvider clock, CancellationToken ct)
    {
        var projectId = http.User.GetProjectId();
        if (await channels.GetAsync(projectId, channelId, ct) is not { } channel)
        {
            return ApiProblems.NotFound($"No channel with id '{channelId}' in this project.");
        }

        var now = clock.GetUtcNow();
        var sourceId = "test:" + Guid.CreateVersion7(now).ToString("N");
        var message = new NotificationMessage("channel.test", "Test from Operational",
            $"If you read this, channel '{channel.Definition.Name}' works.", "info", null, null);
        var delivery = new Delivery(Delivery.IdFor(sourceId, channelId), projectId, channelId, sourceId, message, DeliveryStatus.Pending, 0, now, now, now);
        await store.AddDeliveriesAsync([delivery], ct);
        queued.Notify();
        return TypedResults.Accepted($"/v1/deliveries?channelId={channelId}", DeliveryResponse.From(delivery));
    }
}
