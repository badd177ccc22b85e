using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Operational.Client;

/// <summary>An event as Operational stored it (<c>GET /v1/events</c>).</summary>
public sealed record StoredEvent(string Id, string Name)
{
    /// <summary>The event's project.</summary>
    public string? Project { get; init; }

    /// <summary>Its category, if any.</summary>
    public string? Category { get; init; }

    /// <summary>Its emoji, if any.</summary>
    public string? Avatar { get; init; }

    /// <summary>How <see cref="Content"/> is shaped.</summary>
    public string? Type { get; init; }

    /// <summary>A string, rows or any JSON, by <see cref="Type"/>.</summary>
    public JsonNode? Content { get; init; }

    /// <summary><c>info</c>, <c>success</c>, <c>warning</c> or <c>error</c>.</summary>
    public string? Level { get; init; }

    /// <summary>Its tags.</summary>
    public IReadOnlyDictionary<string, JsonNode?>? Tags { get; init; }

    /// <summary>The sender's id of its user.</summary>
    public string? UserId { get; init; }

    /// <summary>Its context, if any.</summary>
    public string? ContextId { get; init; }

    /// <summary>When it happened.</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>When the gateway accepted it.</summary>
    public DateTimeOffset ReceivedAt { get; init; }
}

/// <summary>Filters of <c>GET /v1/events</c>; all combine.</summary>
/// <param name="Category">Exact category.</param>
/// <param name="Name">Exact name.</param>
/// <param name="ContextId">Exact context.</param>
/// <param name="UserId">Exact user.</param>
/// <param name="Level"><c>info</c>, <c>success</c>, <c>warning</c> or <c>error</c>.</param>
/// <param name="Tag"><c>key:value</c>.</param>
/// <param name="From">From this time on (inclusive).</param>
/// <param name="To">Before this time.</param>
/// <param name="Q">Words that must all occur in the name or text.</param>
/// <param name="Test">The test events instead of the live ones.</param>
/// <param name="PageSize">Events per request (1–500).</param>
public sealed record EventQuery(
    string? Category = null, string? Name = null, string? ContextId = null, string? UserId = null, string? Level = null, string? Tag = null,
    DateTimeOffset? From = null, DateTimeOffset? To = null, string? Q = null, bool Test = false, int PageSize = 200);

/// <summary>The server refused a read (a wrong key, a key without <c>read</c>, a bad filter).</summary>
public sealed class OperationalReadException(HttpStatusCode status, string problem)
    : Exception($"Operational answered {(int)status}: {problem}")
{
    /// <summary>The HTTP status.</summary>
    public HttpStatusCode Status { get; } = status;
}

internal sealed record EventPage(IReadOnlyList<StoredEvent> Events, string? NextCursor);

/// <summary>Reading events: pages of the past, and the live feed.</summary>
public static class OperationalReading
{
    /// <summary>The project's events, newest first, page by page (the key needs <c>read</c>).</summary>
    /// <exception cref="OperationalReadException">The server refused the read.</exception>
    public static async IAsyncEnumerable<StoredEvent> GetEventsAsync(
        this OperationalClient client, EventQuery? query = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        query ??= new EventQuery();
        string? cursor = null;
        do
        {
            var path = "/v1/events" + QueryString(query, cursor);
            using var request = client.Authorized(HttpMethod.Get, path);
            using var response = await client.Http.SendAsync(request, cancellationToken);
            await EnsureReadAsync(response, cancellationToken);
            var page = await response.Content.ReadFromJsonAsync(ClientJson.Default.EventPage, cancellationToken);
            foreach (var e in page?.Events ?? [])
            {
                yield return e;
            }

            cursor = page?.NextCursor;
        }
        while (cursor is not null);
    }

    /// <summary>
    /// Every event stored from now on, as it is stored (<c>/v1/events/stream</c>), until cancelled:
    /// a lost connection is opened again after the last event seen (<c>Last-Event-ID</c>), so none is missed.
    /// </summary>
    /// <exception cref="OperationalReadException">The server refused the stream (not a lost connection).</exception>
    public static async IAsyncEnumerable<StoredEvent> StreamEventsAsync(
        this OperationalClient client, bool test = false, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? lastId = null;
        var retry = TimeSpan.FromSeconds(2);
        while (!cancellationToken.IsCancellationRequested)
        {
            var received = new List<StoredEvent>();
            HttpResponseMessage? response = null;
            try
            {
                using var request = client.Authorized(HttpMethod.Get, "/v1/events/stream" + (test ? "?test=true" : ""));
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
                if (lastId is not null)
                {
                    request.Headers.Add("Last-Event-ID", lastId);
                }

                using var streaming = new HttpClient(new SocketsHttpHandler(), disposeHandler: true) { BaseAddress = client.Http.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
                response = await streaming.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                await EnsureReadAsync(response, cancellationToken);
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken), Encoding.UTF8);
                string? id = null;
                var data = new StringBuilder();
                while (await reader.ReadLineAsync(cancellationToken) is { } line)
                {
                    if (line.Length == 0)
                    {
                        if (data.Length > 0 && JsonSerializer.Deserialize(data.ToString(), ClientJson.Default.StoredEvent) is { } e)
                        {
                            lastId = id ?? lastId;
                            yield return e;
                        }

                        (id, data) = (null, data.Clear());
                    }
                    else if (line.StartsWith("id:", StringComparison.Ordinal))
                    {
                        id = line[3..].Trim();
                    }
                    else if (line.StartsWith("data:", StringComparison.Ordinal))
                    {
                        data.Append(line[5..].TrimStart());
                    }
                    else if (line.StartsWith("retry:", StringComparison.Ordinal) && int.TryParse(line[6..].Trim(), out var ms))
                    {
                        retry = TimeSpan.FromMilliseconds(ms);
                    }
                }
            }
            finally
            {
                response?.Dispose();
            }

            await Task.Delay(retry, cancellationToken);
        }
    }

    private static async Task EnsureReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new OperationalReadException(response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
        }
    }

    private static string QueryString(EventQuery q, string? cursor)
    {
        var parts = new List<string> { $"limit={q.PageSize}" };
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                parts.Add($"{name}={Uri.EscapeDataString(value)}");
            }
        }

        Add("category", q.Category);
        Add("name", q.Name);
        Add("contextId", q.ContextId);
        Add("userId", q.UserId);
        Add("level", q.Level);
        Add("tag", q.Tag);
        Add("from", q.From?.ToString("O"));
        Add("to", q.To?.ToString("O"));
        Add("q", q.Q);
        Add("cursor", cursor);
        if (q.Test)
        {
            parts.Add("test=true");
        }

        return "?" + string.Join('&', parts);
    }
}
