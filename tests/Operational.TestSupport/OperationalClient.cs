using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Operational.TestSupport;

/// <summary>A thin HTTP client for the public API, used by the API, bus and end-to-end tests alike.</summary>
public sealed class OperationalClient(HttpClient http)
{
    public HttpClient Http => http;

    public Task<HttpResponseMessage> PostEventAsync(string key, string json, string contentType = "application/json") =>
        PostAsync(key, "/v1/events", json, contentType);

    /// <summary>POSTs <paramref name="body"/> with exactly <paramref name="contentType"/> (no charset added unless given).</summary>
    public Task<HttpResponseMessage> PostAsync(string? key, string path, string body, string contentType = "application/json") =>
        PostAsync(key, path, Encoding.UTF8.GetBytes(body), contentType);

    public Task<HttpResponseMessage> PostAsync(string? key, string path, byte[] body, string? contentType)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        if (contentType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return http.SendAsync(request);
    }

    public Task<HttpResponseMessage> PutAsync(string key, string path, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http.SendAsync(request);
    }

    public Task<HttpResponseMessage> DeleteAsync(string key, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Delete, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http.SendAsync(request);
    }

    public Task<HttpResponseMessage> GetAsync(string key, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http.SendAsync(request);
    }

    /// <summary>Posts an event that must be accepted and returns its id.</summary>
    public async Task<string> IngestAsync(string key, string json)
    {
        using var response = await PostEventAsync(key, json);
        var body = await response.Content.ReadAsStringAsync();
        if ((int)response.StatusCode != 202)
        {
            throw new InvalidOperationException($"Expected 202, got {(int)response.StatusCode}: {body}");
        }

        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    public async Task<JsonElement> GetJsonAsync(string key, string path)
    {
        using var response = await GetAsync(key, path);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode} {body}");
        }

        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Polls the event by id until storage has it (the path is asynchronous by design).</summary>
    public async Task<JsonElement> WaitForEventAsync(string key, string id, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            using var response = await GetAsync(key, $"/v1/events/{id}");
            if (response.IsSuccessStatusCode)
            {
                return (await response.Content.ReadFromJsonAsync<JsonElement>()).Clone();
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Event {id} was not readable within {timeout}; last answer {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Polls <c>GET /v1/contexts/{contextId}</c> until <paramref name="done"/> holds for its answer, and returns that answer.</summary>
    /// <summary>Reads <paramref name="path"/> until its JSON is what <paramref name="done"/> wants, or fails naming the last answer.</summary>
    public async Task<JsonElement> WaitForJsonAsync(string key, string path, Func<JsonElement, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var json = await GetJsonAsync(key, path);
            if (done(json))
            {
                return json;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"{path} did not answer as expected within {timeout}; last answer {json}");
            }

            await Task.Delay(100);
        }
    }

    public async Task<JsonElement> WaitForContextAsync(string key, string contextId, Func<JsonElement, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = "";
        while (DateTime.UtcNow <= deadline)
        {
            using var response = await GetAsync(key, $"/v1/contexts/{Uri.EscapeDataString(contextId)}");
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            if (response.IsSuccessStatusCode)
            {
                var context = JsonDocument.Parse(last[4..]).RootElement.Clone();
                if (done(context))
                {
                    return context;
                }
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Context {contextId} did not reach the expected state within {timeout}; last answer {last}");
    }
}
