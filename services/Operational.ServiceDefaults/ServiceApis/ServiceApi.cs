using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Operational.ServiceDefaults.Identity;

namespace Operational.ServiceDefaults.ServiceApis;

/// <summary>Another service did not answer usefully; the message says how.</summary>
public sealed class ServiceApiUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// A call from one service to another's HTTP API (never its database), on behalf of the caller:
/// the identity the gateway signed for the original request is forwarded, so the other service
/// applies the caller's own project and scope.
/// </summary>
public static class ServiceApi
{
    /// <summary>The JSON conventions every service answers in.</summary>
    private static readonly JsonSerializerOptions Json = CreateJsonOptions();

    /// <exception cref="ServiceApiUnavailableException">No answer, an error status, or not JSON.</exception>
    public static async Task<T> GetJsonAsync<T>(this HttpClient http, string service, string path, string? forwardedIdentity, CancellationToken cancellationToken)
        where T : class =>
        await http.FindJsonAsync<T>(service, path, forwardedIdentity, cancellationToken)
        ?? throw new ServiceApiUnavailableException($"The {service} service answered 404 for {path}.");

    /// <summary>Like <see cref="GetJsonAsync{T}"/>, but a 404 is an answer: null.</summary>
    public static async Task<T?> FindJsonAsync<T>(this HttpClient http, string service, string path, string? forwardedIdentity, CancellationToken cancellationToken)
        where T : class
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, path);
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (forwardedIdentity is not null)
        {
            message.Headers.Add(GatewayIdentityToken.HeaderName, forwardedIdentity);
        }

        try
        {
            using var response = await http.SendAsync(message, cancellationToken);
            if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return null;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new ServiceApiUnavailableException($"The {service} service answered {(int)response.StatusCode} {response.ReasonPhrase}.");
            }

            return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
                ?? throw new ServiceApiUnavailableException($"The {service} service answered null for {path}.");
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or (TaskCanceledException and not OperationCanceledException { CancellationToken.IsCancellationRequested: true }))
        {
            throw new ServiceApiUnavailableException($"The {service} service did not answer: {e.Message}", e);
        }
    }

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Hosting.ServiceDefaultsExtensions.ConfigureJson(options);
        return options;
    }
}
