using Microsoft.AspNetCore.Http.HttpResults;
using Operational.Contracts.Alerts;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;
using Operational.ServiceDefaults.Query;
using Operational.ServiceDefaults.Validation;

namespace Operational.Rules.Alerts;

/// <summary>An alert as the API returns it.</summary>
public sealed record AlertResponse(
    string Id,
    string RuleId,
    string RuleName,
    string Kind,
    string? Group,
    string Status,
    bool Notified,
    DateTimeOffset TriggeredAt,
    DateTimeOffset LastNotifiedAt,
    DateTimeOffset? ResolvedAt,
    AlertEvidence Evidence,
    AlertEvidence? Resolution,
    IReadOnlyList<string> Channels,
    string? AcknowledgedBy = null,
    DateTimeOffset? AcknowledgedAt = null,
    int Escalated = 0,
    string? SuppressedBy = null)
{
    public static AlertResponse From(AlertRecord record)
    {
        var a = record.Alert;
        var handled = record.Handled;
        return new AlertResponse(a.AlertId, a.RuleId, a.RuleName, a.Kind, a.Group, record.Status, record.Notified, a.TriggeredAt, record.LastNotifiedAt,
            record.ResolvedAt, a.Evidence, record.Resolution, a.Channels, handled.AcknowledgedBy, handled.AcknowledgedAt, handled.Escalated,
            // Only while it keeps the alert quiet: once told, it is an ordinary alert.
            record.Notified ? null : handled.SuppressedBy);
    }
}

public sealed record AlertListResponse(IReadOnlyList<AlertResponse> Alerts, string? NextCursor);

/// <summary><c>GET /v1/alerts</c>: open alerts and history, newest first.</summary>
public static class AlertEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static IEndpointRouteBuilder MapAlerts(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/alerts", ListAsync).RequireAuthorization(Policies.Read).WithTags("Alerts").WithName("ListAlerts");
        // Whoever is on call acknowledges: read is enough, as for pressing an event's action.
        endpoints.MapPost("/v1/alerts/{alertId}/acknowledge", AcknowledgeAsync).RequireAuthorization(Policies.Read).WithTags("Alerts").WithName("AcknowledgeAlert");
        endpoints.MapDelete("/v1/alerts/{alertId}/acknowledge", UnacknowledgeAsync).RequireAuthorization(Policies.Read).WithTags("Alerts").WithName("UnacknowledgeAlert");
        return endpoints;
    }

    /// <summary>Records who is on it; reminders and escalation stop. Acknowledging twice keeps the first.</summary>
    private static async Task<Results<Ok<AlertResponse>, ProblemHttpResult>> AcknowledgeAsync(
        HttpContext http, string alertId, IAlertStore store, AlertKeeper keeper, AlertsQueued queued, TimeProvider clock, CancellationToken ct)
    {
        if (await FindOpenAsync(http, alertId, store, ct) is { } problem)
        {
            return problem;
        }

        if (await keeper.AcknowledgeAsync(alertId, http.User.ToCallerIdentity()!.KeyId, clock.GetUtcNow(), ct))
        {
            queued.Notify(); // its channels hear who took it now, not at the next poll
        }

        return TypedResults.Ok(AlertResponse.From((await store.GetAlertAsync(http.User.GetProjectId(), alertId, ct))!));
    }

    private static async Task<Results<Ok<AlertResponse>, ProblemHttpResult>> UnacknowledgeAsync(HttpContext http, string alertId, IAlertStore store, AlertKeeper keeper, CancellationToken ct)
    {
        if (await FindOpenAsync(http, alertId, store, ct) is { } problem)
        {
            return problem;
        }

        await keeper.UnacknowledgeAsync(alertId, ct);
        return TypedResults.Ok(AlertResponse.From((await store.GetAlertAsync(http.User.GetProjectId(), alertId, ct))!));
    }

    private static async Task<ProblemHttpResult?> FindOpenAsync(HttpContext http, string alertId, IAlertStore store, CancellationToken ct) =>
        await store.GetAlertAsync(http.User.GetProjectId(), alertId, ct) switch
        {
            null => ApiProblems.NotFound($"No alert with id '{alertId}' in this project."),
            { IsOpen: false } closed => ApiProblems.Status(StatusCodes.Status409Conflict, "The alert is not open.",
                $"The alert is {closed.Status}: only open alerts are acknowledged."),
            _ => null,
        };

    private static async Task<Results<Ok<AlertListResponse>, ValidationProblem>> ListAsync(
        HttpContext http, IAlertStore store, string? status, string? ruleId, string? limit, string? cursor, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var pageSize = QueryParameters.Limit(limit, DefaultLimit, MaxLimit, errors);
        if (status is not null && !AlertStatus.All.Contains(status))
        {
            errors.Add("status", $"must be one of {string.Join(", ", AlertStatus.All)}");
        }

        if (cursor is not null && !AlertCursor.TryDecode(cursor, out _, out _))
        {
            errors.Add("cursor", QueryParameters.CursorProblem);
        }

        if (!errors.IsEmpty)
        {
            return ApiProblems.Validation(errors);
        }

        var page = await store.ListAlertsAsync(http.User.GetProjectId(), status, QueryParameters.Filter(ruleId), pageSize, cursor, ct);
        return TypedResults.Ok(new AlertListResponse(page.Alerts.Select(AlertResponse.From).ToList(), page.NextCursor));
    }
}
