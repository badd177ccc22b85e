using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Operational.TestSupport;

namespace Operational.BrowserTests;

/// <summary>A local HTTP server standing in for a webhook receiver and a browser's push service: it answers 201 and records each request.</summary>
public sealed class RecordingReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RecordingReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public Uri Address { get; private set; } = null!;

    public static async Task<RecordingReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var port = FreePort.Next();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var receiver = new RecordingReceiver(app) { Address = new Uri($"http://127.0.0.1:{port}") };
        app.MapPost("/{**path}", async (HttpContext http) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            var headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            receiver.Requests.Enqueue(new RecordedRequest(http.Request.Path, headers, body.ToArray()));
            return Results.StatusCode(StatusCodes.Status201Created);
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

public sealed record RecordedRequest(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body);
