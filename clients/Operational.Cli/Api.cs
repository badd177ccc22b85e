using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Operational.Cli;

/// <summary>The server refused or did not answer; <see cref="Exception.Message"/> says why, for a person.</summary>
internal sealed class ApiException(int status, string message) : Exception(message)
{
    /// <summary>The HTTP status; 0 when there was no answer.</summary>
    public int Status { get; } = status;
}

/// <summary>The management API as JSON, for the listing commands (the SDK covers sending and the feed).</summary>
internal sealed class Api(Endpoint endpoint) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = endpoint.Url, Timeout = TimeSpan.FromSeconds(30) };

    public Task<JsonNode> GetAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Get, path, null, cancellationToken);

    /// <summary>The answer's JSON (an empty object for 204); throws <see cref="ApiException"/> for anything but 2xx.</summary>
    public async Task<JsonNode> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path)
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", endpoint.Key) },
            Content = body is null ? null : JsonContent.Create(body),
        };
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new ApiException(0, $"{endpoint.Url} did not answer ({e.Message})");
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new ApiException((int)response.StatusCode, $"{(int)response.StatusCode}: {Problem(text)}");
            }

            return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text) ?? new JsonObject();
        }
    }

    /// <summary>A problem+json body as one line: its detail or title, and each field's errors.</summary>
    public static string Problem(string body)
    {
        try
        {
            if (JsonNode.Parse(body) is JsonObject problem)
            {
                // The detail already names the fields when there is one.
                if ((string?)problem["detail"] is { Length: > 0 } detail)
                {
                    return detail;
                }

                var line = new StringBuilder((string?)problem["title"] ?? body);
                if (problem["errors"] is JsonObject errors)
                {
                    foreach (var (field, messages) in errors)
                    {
                        line.Append($"; {field}: {string.Join(", ", messages?.AsArray().Select(m => (string?)m) ?? [])}");
                    }
                }

                return line.ToString();
            }
        }
        catch (JsonException)
        {
        }

        return body.Length == 0 ? "no explanation given" : body.Trim();
    }

    public void Dispose() => _http.Dispose();
}
