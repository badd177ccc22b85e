using Microsoft.AspNetCore.Http.HttpResults;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;
using Operational.ServiceDefaults.Requests;

namespace Operational.Notifications.Settings;

/// <summary>What a project chose about its notifications.</summary>
/// <param name="NotifyTestEvents">Test events sent with <c>notify: true</c> notify too (off by default: test events are for trying things out quietly).</param>
public sealed record NotificationSettings(bool NotifyTestEvents)
{
    public static readonly NotificationSettings Default = new(false);
}

/// <summary>The projects' notification settings; the notifications store implements it.</summary>
public interface INotificationSettingsStore
{
    Task<NotificationSettings?> GetSettingsAsync(string projectId, CancellationToken cancellationToken);

    Task SetSettingsAsync(string projectId, NotificationSettings settings, CancellationToken cancellationToken);
}

public sealed record NotificationSettingsRequest(bool? NotifyTestEvents);

/// <summary><c>GET</c> (read) and <c>PUT /v1/notification-settings</c> (admin).</summary>
public static class NotificationSettingsEndpoints
{
    public static IEndpointRouteBuilder MapNotificationSettings(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/notification-settings", async (HttpContext http, INotificationSettingsStore store, CancellationToken ct) =>
                TypedResults.Ok(await store.GetSettingsAsync(http.User.GetProjectId(), ct) ?? NotificationSettings.Default))
            .RequireAuthorization(Policies.Read).WithTags("Channels").WithName("GetNotificationSettings");
        endpoints.MapPut("/v1/notification-settings", PutAsync)
            .RequireAuthorization(Policies.Admin).WithTags("Channels").WithName("SetNotificationSettings").WithJsonBodyLimit(1024);
        return endpoints;
    }

    private static async Task<Results<Ok<NotificationSettings>, ValidationProblem>> PutAsync(
        HttpContext http, JsonBody<NotificationSettingsRequest> body, INotificationSettingsStore store, CancellationToken ct)
    {
        var request = body.Value;
        if (request.NotifyTestEvents is not { } notifyTestEvents)
        {
            return ApiProblems.Validation("notifyTestEvents", "is required: true or false");
        }

        var settings = new NotificationSettings(notifyTestEvents);
        await store.SetSettingsAsync(http.User.GetProjectId(), settings, ct);
        return TypedResults.Ok(settings);
    }
}
