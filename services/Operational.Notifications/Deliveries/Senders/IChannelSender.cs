using System.Globalization;
using System.Net;
using Operational.Notifications.Channels;

namespace Operational.Notifications.Deliveries.Senders;

/// <summary>Sends a delivery's message through one kind of channel, once; the dispatcher decides about retries.</summary>
public interface IChannelSender
{
    string Kind { get; }

    Task<AttemptResult> SendAsync(Channel channel, Delivery delivery, CancellationToken cancellationToken);
}

/// <summary>How every HTTP-based sender reads an answer.</summary>
public static class HttpOutcome
{
    public static async Task<AttemptResult> ReadAsync(HttpResponseMessage response, TimeProvider clock, CancellationToken cancellationToken)
    {
        var code = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
        {
            return AttemptResult.Ok with { StatusCode = code };
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var error = $"{code} {response.ReasonPhrase}" + (body.Length == 0 ? "" : ": " + (body.Length > 300 ? body[..300] + "…" : body));
        return response.StatusCode switch
        {
            HttpStatusCode.TooManyRequests => new AttemptResult(false, code, error, RetryAfter: RetryAfter(response, clock)),
            // Gone for good: retrying cannot help.
            HttpStatusCode.Gone => new AttemptResult(false, code, error, Permanent: true),
            _ => new AttemptResult(false, code, error),
        };
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider clock) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - clock.GetUtcNow(),
        _ => null,
    };

    public static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s";
}
