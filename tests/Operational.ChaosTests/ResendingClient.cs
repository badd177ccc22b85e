using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Operational.ChaosTests;

/// <summary>An event the gateway answered 202 for.</summary>
public sealed record AcceptedEvent(string Id, string ContextId, bool Notify);

/// <summary>
/// Sends events the way a careful app does: every event has its own id, and anything but a 202
/// (a 503 while the broker is away, a refused connection while the gateway restarts, a timeout)
/// is retried with the same id until the gateway accepts it. What was accepted is what must be
/// found later, exactly once.
/// </summary>
public sealed class ResendingClient(Uri gateway, string ingestKey) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(10) };
    private long _retries;
    private long _unavailable;

    public ConcurrentDictionary<string, AcceptedEvent> Accepted { get; } = new();

    /// <summary>
    /// Every event sent at least once. One whose answer never came (the gateway killed after the
    /// broker confirmed, a client that gave up) may be stored without having been answered 202:
    /// stored events must be a subset of these, and include every accepted one.
    /// </summary>
    public ConcurrentDictionary<string, AcceptedEvent> Sent { get; } = new();

    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>503 answers (the gateway refusing honestly instead of accepting what it cannot keep).</summary>
    public long Unavailable => Interlocked.Read(ref _unavailable);

    public async Task SendAsync(string id, string contextId, bool notify, int sequence, CancellationToken cancellationToken)
    {
        Sent[id] = new AcceptedEvent(id, contextId, notify);
        var json = $$"""{"id":"{{id}}","name":"chaos event","contextId":"{{contextId}}","notify":{{(notify ? "true" : "false")}},"content":{"sequence":{{sequence}} } }""";
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ingestKey);
                using var response = await _http.SendAsync(request, cancellationToken);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    Accepted[id] = new AcceptedEvent(id, contextId, notify);
                    return;
                }

                if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    Interlocked.Increment(ref _unavailable);
                }
                else if ((int)response.StatusCode is >= 400 and < 500 and not 429)
                {
                    throw new InvalidOperationException($"The gateway refused a valid event: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
                }
            }
            catch (HttpRequestException)
            {
                // The gateway is down or restarting.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // No answer in time: the event may or may not have been accepted; the same id makes resending safe.
            }

            Interlocked.Increment(ref _retries);
            await Task.Delay(200, cancellationToken);
        }
    }

    public void Dispose() => _http.Dispose();
}
