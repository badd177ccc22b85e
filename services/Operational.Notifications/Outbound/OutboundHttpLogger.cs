using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Http.Logging;

namespace Operational.Notifications.Outbound;

/// <summary>
/// Logs each outbound call by its destination only (scheme, host and port). The framework's logger
/// writes whole URLs, and here URLs are secrets: Telegram's carry the bot token, Slack's and
/// Discord's webhook paths are the credential, a push endpoint is a capability.
/// </summary>
internal sealed class OutboundHttpLogger(ILogger<OutboundHttpLogger> logger) : IHttpClientLogger
{
    public object? LogRequestStart(HttpRequestMessage request) => null;

    public void LogRequestStop(object? context, HttpRequestMessage request, HttpResponseMessage response, TimeSpan elapsed) =>
        logger.LogInformation("Outbound {Method} {Destination} answered {StatusCode} in {ElapsedMs:0} ms",
            request.Method, Destination(request.RequestUri), (int)response.StatusCode, elapsed.TotalMilliseconds);

    public void LogRequestFailed(object? context, HttpRequestMessage request, HttpResponseMessage? response, Exception exception, TimeSpan elapsed) =>
        logger.LogInformation("Outbound {Method} {Destination} failed after {ElapsedMs:0} ms: {Error}",
            request.Method, Destination(request.RequestUri), elapsed.TotalMilliseconds, exception.Message);

    /// <summary>What may be logged of a URL: where it goes, not what its path and query say.</summary>
    [SuppressMessage("Design", "CA1055:URI-like return values should not be strings", Justification = "A redacted text for logs, not a URL to call.")]
    public static string Destination(Uri? uri) => uri is { IsAbsoluteUri: true } ? $"{uri.Scheme}://{uri.Authority}/…" : "(no URL)";
}
