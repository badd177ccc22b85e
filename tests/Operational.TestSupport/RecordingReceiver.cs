using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Operational.TestSupport;

/// <summary>
/// A local HTTP server standing in for whatever Operational calls out to (webhook receivers,
/// push services, chat APIs, action URLs): it records every POST and answers 200, or what
/// the test's answer function says.
/// </summary>
public sealed class RecordingReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RecordingReceiver(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public Uri Address { get; }

    /// <param name="answer">The status code for a request (it may also wait, e.g. to play a hanging server); default 200.</param>
    /// <param name="on">The address to listen on; loopback by default.</param>
    /// <param name="reply">A JSON body to answer with (e.g. the message id a chat API returns); none by default.</param>
    public static async Task<RecordingReceiver> StartAsync(
        Func<RecordedRequest, CancellationToken, Task<int>>? answer = null, System.Net.IPAddress? on = null, Func<RecordedRequest, string?>? reply = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var host = on is null ? "127.0.0.1" : on.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{on}]" : on.ToString();
        var address = new Uri($"http://{host}:{FreePort.Next()}");
        builder.WebHost.UseUrls(address.ToString());
        var app = builder.Build();
        var receiver = new RecordingReceiver(app, address);
        app.MapMethods("/{**path}", ["POST", "PATCH", "PUT"], async (HttpContext http) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            var headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var request = new RecordedRequest(http.Request.Path.Value!, headers, body.ToArray(), DateTimeOffset.UtcNow, http.Request.Method);
            receiver.Requests.Enqueue(request);
            var status = answer is null ? StatusCodes.Status200OK : await answer(request, http.RequestAborted);
            return reply?.Invoke(request) is { } json ? Results.Content(json, "application/json", statusCode: status) : Results.StatusCode(status);
        });
        await app.StartAsync();
        return receiver;
    }

    public async Task<RecordedRequest> WaitForAsync(Func<RecordedRequest, bool> predicate, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var found = Requests.FirstOrDefault(predicate);
            if (found is not null)
            {
                return found;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"No matching request within {timeout}; received: {string.Join(", ", Requests.Select(r => r.Path))}");
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

/// <summary>A request as received; header names are matched ignoring case.</summary>
public sealed record RecordedRequest(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, DateTimeOffset At, string Method = "POST");
