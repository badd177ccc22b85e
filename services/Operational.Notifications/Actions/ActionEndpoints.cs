using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Operational.Contracts.Api;
using Operational.Contracts.Events;
using Operational.Notifications.Channels;
using Operational.Notifications.Deliveries.Senders;
using Operational.Notifications.Outbound;
using Operational.Notifications.Webhooks;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;
using Operational.ServiceDefaults.ServiceApis;

namespace Operational.Notifications.Actions;

public sealed record ActionRunResponse(string Id, string EventId, string ActionKey, string Status, string PressedBy, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int? StatusCode, string? Error)
{
    public static ActionRunResponse From(ActionRun r) => new(r.Id, r.EventId, r.ActionKey, r.Status, r.PressedBy, r.CreatedAt, r.UpdatedAt, r.StatusCode, r.Error);
}

public sealed record ActionRunListResponse(IReadOnlyList<ActionRunResponse> Runs);

public sealed record ActionSecretResponse(string Secret);

/// <summary>
/// Event action buttons, enforced on the server: <c>POST /v1/events/{id}/actions/{key}</c> calls the
/// action's URL with a payload signed per Standard Webhooks (the project's action secret), records
/// the run (pending, done, failed), and refuses a press after the action expired or, unless it
/// may repeat, after it was done.
/// </summary>
public static class ActionEndpoints
{
    public static IEndpointRouteBuilder MapActions(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/events/{eventId}/actions/{key}", PressAsync).RequireAuthorization(Policies.Read).WithTags("Actions").WithName("RunEventAction");
        endpoints.MapGet("/v1/events/{eventId}/actions", ListAsync).RequireAuthorization(Policies.Read).WithTags("Actions").WithName("ListEventActionRuns");
        endpoints.MapGet("/v1/action-secret", SecretAsync).RequireAuthorization(Policies.Admin).WithTags("Actions").WithName("GetActionSecret");
        return endpoints;
    }

    private static async Task<Results<Ok<ActionRunResponse>, ValidationProblem, ProblemHttpResult>> PressAsync(
        HttpContext http, string eventId, string key, IEventLookup events, IActionStore runs, IHttpClientFactory clients,
        IOptions<NotificationsOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var caller = http.User.ToCallerIdentity()!;
        EventResponse? found;
        try
        {
            found = await events.GetEventAsync(caller.ProjectId, eventId, http.Request.Headers[GatewayIdentityToken.HeaderName].FirstOrDefault(), ct);
        }
        catch (ServiceApiUnavailableException e)
        {
            http.Response.Headers.RetryAfter = "5";
            return ApiProblems.Status(StatusCodes.Status503ServiceUnavailable, "Cannot read the event now.", e.Message);
        }

        if (found is null)
        {
            return ApiProblems.NotFound($"No event with id '{eventId}' in this project.");
        }

        if (found.Actions?.FirstOrDefault(a => a.Key == key) is not { } action)
        {
            return ApiProblems.NotFound($"Event '{eventId}' has no action with key '{key}'.");
        }

        if (action.External)
        {
            return ApiProblems.Validation("key", "is an external action: it opens its URL in the browser, there is nothing to call");
        }

        var now = clock.GetUtcNow();
        var expiresAt = found.Timestamp.AddMinutes(action.ExpireIn);
        if (now >= expiresAt)
        {
            return ApiProblems.Status(StatusCodes.Status409Conflict, "The action has expired.", $"Action '{key}' could be run until {expiresAt:O}.");
        }

        var run = new ActionRun("ar_" + Guid.CreateVersion7(now).ToString("N"), caller.ProjectId, eventId, key, ActionRunStatus.Pending, !action.Repeat, caller.KeyId, now, now);
        if (!await runs.TryStartRunAsync(run, ct))
        {
            return ApiProblems.Status(StatusCodes.Status409Conflict, "The action was run already.",
                $"Action '{key}' may run once; it is done or under way. See GET /v1/events/{eventId}/actions.");
        }

        var finished = await CallAsync(run, action, caller, runs, clients, options.Value, clock, ct);
        await runs.FinishRunAsync(finished, CancellationToken.None);
        return TypedResults.Ok(ActionRunResponse.From(finished));
    }

    private static async Task<ActionRun> CallAsync(
        ActionRun run, EventAction action, CallerIdentity caller, IActionStore runs, IHttpClientFactory clients, NotificationsOptions options,
        TimeProvider clock, CancellationToken ct)
    {
        var url = action.Url;
        if (OutboundAddresses.CheckUrl(url, httpsOnly: false, options.Outbound.AllowedHosts) is { } refusal)
        {
            return run with { Status = ActionRunStatus.Failed, Error = $"The action's URL {refusal}.", UpdatedAt = clock.GetUtcNow() };
        }

        var secret = await runs.GetOrAddActionSecretAsync(run.ProjectId, NewSecret(), ct);
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            type = "action",
            eventId = run.EventId,
            actionKey = run.ActionKey,
            meta = action.Meta,
            user = new { keyId = caller.KeyId },
            runId = run.Id,
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        foreach (var (name, value) in WebhookSignature.Headers(secret, run.Id, clock.GetUtcNow(), body))
        {
            request.Headers.Add(name, value);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(options.Delivery.AttemptTimeout);
        try
        {
            using var response = await clients.CreateClient(OutboundHttp.ClientName).SendAsync(request, deadline.Token);
            var outcome = await HttpOutcome.ReadAsync(response, clock, deadline.Token);
            return run with
            {
                Status = outcome.Succeeded ? ActionRunStatus.Done : ActionRunStatus.Failed,
                StatusCode = outcome.StatusCode,
                Error = outcome.Error,
                UpdatedAt = clock.GetUtcNow(),
            };
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            var error = e is OperationCanceledException ? $"No answer within {HttpOutcome.Seconds(options.Delivery.AttemptTimeout)}." : e.Message;
            return run with { Status = ActionRunStatus.Failed, Error = error, UpdatedAt = clock.GetUtcNow() };
        }
    }

    private static async Task<Ok<ActionRunListResponse>> ListAsync(HttpContext http, string eventId, IActionStore runs, CancellationToken ct) =>
        TypedResults.Ok(new ActionRunListResponse((await runs.RunsAsync(http.User.GetProjectId(), eventId, ct)).Select(ActionRunResponse.From).ToList()));

    /// <summary>The secret receivers verify action calls with (Standard Webhooks); made on first use.</summary>
    private static async Task<Ok<ActionSecretResponse>> SecretAsync(HttpContext http, IActionStore runs, CancellationToken ct) =>
        TypedResults.Ok(new ActionSecretResponse(await runs.GetOrAddActionSecretAsync(http.User.GetProjectId(), NewSecret(), ct)));

    private static string NewSecret() => ChannelValidator.WebhookSecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
}
