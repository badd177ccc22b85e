using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Operational.Contracts.Checks;
using Operational.Gateway.Proxy;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.ServiceApis;

namespace Operational.Gateway.Pings;

/// <summary>Hands a ping to the rules service, which owns checks and their runs.</summary>
public interface ICheckPingHandOver
{
    /// <exception cref="ServiceApiUnavailableException">The rules service could not be asked.</exception>
    Task<CheckPingReceipt> HandOverAsync(CheckPing ping, CancellationToken cancellationToken);
}

/// <summary>
/// Distributed mode: <c>POST /internal/v1/check-pings</c> on the rules service, signed as the
/// gateway with the <c>ping</c> scope for the ping key's project (or any project, for a UUID ping).
/// </summary>
public sealed class RulesApiCheckPingHandOver(HttpClient http, IOptions<InternalAuthOptions> auth, TimeProvider clock) : ICheckPingHandOver
{
    public const string HttpClientName = "rules-pings";
    private const string IntakePath = "/internal/v1/check-pings";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<CheckPingReceipt> HandOverAsync(CheckPing ping, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, IntakePath) { Content = JsonContent.Create(ping, options: Json) };
        var caller = new CallerIdentity(ping.ProjectId ?? "*", "gateway-pings", [ApiScopes.Ping], false);
        request.Headers.Add(GatewayIdentityToken.HeaderName, GatewayIdentityToken.Create(caller, auth.Value.Secret!, clock.GetUtcNow() + auth.Value.TokenLifetime));
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new ServiceApiUnavailableException($"The rules service answered {(int)response.StatusCode} {response.ReasonPhrase}.");
            }

            return await response.Content.ReadFromJsonAsync<CheckPingReceipt>(Json, cancellationToken)
                ?? throw new ServiceApiUnavailableException("The rules service answered null.");
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or (TaskCanceledException and not OperationCanceledException { CancellationToken.IsCancellationRequested: true }))
        {
            throw new ServiceApiUnavailableException($"The rules service did not answer: {e.Message}", e);
        }
    }

    public static void Register(IServiceCollection services) =>
        services.AddHttpClient<ICheckPingHandOver, RulesApiCheckPingHandOver>(HttpClientName, (provider, http) =>
        {
            var addresses = provider.GetRequiredService<IOptions<ServiceAddresses>>().Value;
            http.BaseAddress = new Uri(addresses.Rules);
            http.Timeout = TimeSpan.FromSeconds(10);
        });
}
