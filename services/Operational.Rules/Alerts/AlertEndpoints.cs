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
    IReadOnlyList<string> Channels)
{
    public static AlertResponse From(AlertRecord record)
    {
        var a = record.Alert;
        return new AlertResponse(a.AlertId, a.RuleId, a.RuleName, a.Kind, a.Group, record.Status, record.Notified, a.TriggeredAt, record.LastNotifiedAt,
            record.ResolvedAt, a.Evidence, record.Resolution, a.Channels);
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
        return endpoints;
    }

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
