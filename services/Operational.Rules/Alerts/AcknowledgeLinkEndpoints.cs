using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Operational.ServiceDefaults.Problems;

namespace Operational.Rules.Alerts;

/// <summary>
/// <c>/ack/{alertId}/{expires}/{signature}</c>, the link in alert messages. A GET (what a click,
/// and a chat app's link preview, sends) only shows the alert with a button; the button's POST
/// acknowledges, as does a POST from a script or a webhook's receiver. No sign-in: the signature is
/// the proof, for this alert, until it resolves or the link expires.
/// </summary>
public static class AcknowledgeLinkEndpoints
{
    private const string Path = "/ack/{alertId}/{expires}/{signature}";

    public static IEndpointRouteBuilder MapAcknowledgeLinks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Path, ShowAsync).AllowAnonymous().WithTags("Alerts").WithName("ShowAcknowledgeLink").ExcludeFromDescription();
        endpoints.MapPost(Path, AcknowledgeAsync).AllowAnonymous().WithTags("Alerts").WithName("AcknowledgeByLink")
            .Produces<AlertResponse>()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return endpoints;
    }

    private static async Task<IResult> ShowAsync(HttpContext http, string alertId, string expires, string signature, AcknowledgeLinks links, IAlertStore store,
        AcknowledgeLinkLimiter limiter, TimeProvider clock, CancellationToken ct)
    {
        if (await RefusalAsync(http, alertId, expires, signature, links, store, limiter, clock, ct) is { } refusal)
        {
            return Page(refusal.Status, refusal.Title, refusal.Detail, form: false);
        }

        var alert = (await store.GetAlertAsync(null, alertId, ct))!;
        var what = alert.Alert.Group is null ? alert.Alert.RuleName : $"{alert.Alert.RuleName} ({alert.Alert.Group})";
        return Page(StatusCodes.Status200OK, $"Acknowledge “{what}”?", alert.Alert.Evidence.Summary, form: true);
    }

    private static async Task<IResult> AcknowledgeAsync(HttpContext http, string alertId, string expires, string signature, AcknowledgeLinks links, IAlertStore store,
        AlertKeeper keeper, AlertsQueued queued, AcknowledgeLinkLimiter limiter, TimeProvider clock, CancellationToken ct)
    {
        var fromPage = http.Request.HasFormContentType;
        if (await RefusalAsync(http, alertId, expires, signature, links, store, limiter, clock, ct) is { } refusal)
        {
            return fromPage ? Page(refusal.Status, refusal.Title, refusal.Detail, form: false) : ApiProblems.Status(refusal.Status, refusal.Title, refusal.Detail);
        }

        if (await keeper.AcknowledgeAsync(alertId, "link", clock.GetUtcNow(), ct))
        {
            queued.Notify();
        }

        var alert = (await store.GetAlertAsync(null, alertId, ct))!;
        return fromPage
            ? Page(StatusCodes.Status200OK, "Acknowledged.", $"“{alert.Alert.RuleName}”: no more reminders or escalation while it stays open.", form: false)
            : TypedResults.Ok(AlertResponse.From(alert));
    }

    private sealed record Refusal(int Status, string Title, string Detail);

    private static async Task<Refusal?> RefusalAsync(HttpContext http, string alertId, string expires, string signature, AcknowledgeLinks links, IAlertStore store,
        AcknowledgeLinkLimiter limiter, TimeProvider clock, CancellationToken ct)
    {
        if (!limiter.TryAcquire(alertId))
        {
            http.Response.Headers.RetryAfter = "60";
            return new Refusal(StatusCodes.Status429TooManyRequests, "Too many requests.", "This alert's link was used too often; retry in a minute.");
        }

        switch (links.Check(alertId, expires, signature, clock.GetUtcNow()))
        {
            case AcknowledgeLinkCheck.Forged:
                return new Refusal(StatusCodes.Status403Forbidden, "Not a valid link.", "This link does not acknowledge this alert: it was changed, or belongs to another alert.");
            case AcknowledgeLinkCheck.Expired:
                return new Refusal(StatusCodes.Status410Gone, "The link expired.", "Acknowledge the alert in the dashboard, or with the link of a newer message.");
        }

        return await store.GetAlertAsync(null, alertId, ct) switch
        {
            null => new Refusal(StatusCodes.Status404NotFound, "No such alert.", "The alert no longer exists."),
            { IsOpen: false } closed => new Refusal(StatusCodes.Status409Conflict, "The alert is not open.", $"The alert is {closed.Status}: nothing to acknowledge."),
            _ => null,
        };
    }

    /// <summary>A page with nothing but text and, to acknowledge, a form posting back to the same link: no script, no outside resource.</summary>
    private static IResult Page(int status, string title, string detail, bool form)
    {
        var button = form ? """<form method="post"><button type="submit">Acknowledge</button></form>""" : "";
        var html = $"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="robots" content="noindex"><title>{WebUtility.HtmlEncode(title)} · Operational</title></head>
            <body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem">
            <h1>{WebUtility.HtmlEncode(title)}</h1><p>{WebUtility.HtmlEncode(detail)}</p>{button}
            </body></html>
            """;
        return new PageResult(status, html);
    }

    private sealed class PageResult(int status, string html) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = status;
            http.Response.ContentType = "text/html; charset=utf-8";
            // The page's only style is inline, its only action the form back to itself.
            http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
            http.Response.Headers.CacheControl = "no-store";
            http.Response.Headers["Referrer-Policy"] = "no-referrer";
            return http.Response.WriteAsync(html);
        }
    }
}

/// <summary>Each alert's link may be used a few times a minute: enough for people and retries, not for guessing.</summary>
public sealed class AcknowledgeLinkLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(alertId =>
        RateLimitPartition.GetFixedWindowLimiter(alertId, _ => new FixedWindowRateLimiterOptions { PermitLimit = 20, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));

    public bool TryAcquire(string alertId)
    {
        using var lease = _limiter.AttemptAcquire(alertId);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
