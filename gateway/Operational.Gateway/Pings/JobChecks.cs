using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Operational.Contracts.Checks;
using Operational.Gateway.Proxy;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.ServiceApis;

namespace Operational.Gateway.Pings;

/// <summary>The rules service's job checks, as the gateway reaches them for ping URLs and badges.</summary>
public interface IJobChecks
{
    /// <summary>Hands a ping over: the rules service finds its check and pairs it with its run.</summary>
    /// <exception cref="ServiceApiUnavailableException">The rules service could not be asked.</exception>
    Task<CheckPingReceipt> PingAsync(CheckPing ping, CancellationToken cancellationToken);

    /// <summary>Every check of the project with its status, for badges.</summary>
    /// <exception cref="ServiceApiUnavailableException">The rules service could not be asked.</exception>
    Task<IReadOnlyList<CheckBadgeStatus>> StatusesAsync(string projectId, CancellationToken cancellationToken);
}

/// <summary>
/// Distributed mode: the rules service's internal endpoints (<c>/internal/v1/check-pings</c>,
/// <c>/internal/v1/check-statuses</c>), signed as the gateway with the <c>ping</c> or
/// <c>badge</c> scope for the key's project (any project, for a UUID ping).
/// </summary>
public sealed class RulesApiJobChecks(HttpClient http, IOptions<InternalAuthOptions> auth, TimeProvider clock) : IJobChecks
{
    public const string HttpClientName = "rules-checks";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Task<CheckPingReceipt> PingAsync(CheckPing ping, CancellationToken cancellationToken) =>
        SendAsync<CheckPingReceipt>(HttpMethod.Post, "/internal/v1/check-pings", JsonContent.Create(ping, options: Json), ping.ProjectId ?? "*", ApiScopes.Ping, cancellationToken);

    public async Task<IReadOnlyList<CheckBadgeStatus>> StatusesAsync(string projectId, CancellationToken cancellationToken) =>
        (await SendAsync<CheckBadgeStatusList>(HttpMethod.Get, "/internal/v1/check-statuses", null, projectId, ApiScopes.Badge, cancellationToken)).Checks;

    public static void Register(IServiceCollection services) =>
        services.AddHttpClient<IJobChecks, RulesApiJobChecks>(HttpClientName, (provider, http) =>
        {
            var addresses = provider.GetRequiredService<IOptions<ServiceAddresses>>().Value;
            http.BaseAddress = new Uri(addresses.Rules);
            http.Timeout = TimeSpan.FromSeconds(10);
        });

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, string projectId, string scope, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        var caller = new CallerIdentity(projectId, "gateway-checks", [scope], false);
        request.Headers.Add(GatewayIdentityToken.HeaderName, GatewayIdentityToken.Create(caller, auth.Value.Secret!, clock.GetUtcNow() + auth.Value.TokenLifetime));
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new ServiceApiUnavailableException($"The rules service answered {(int)response.StatusCode} {response.ReasonPhrase}.");
            }

            return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
                ?? throw new ServiceApiUnavailableException("The rules service answered null.");
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or (TaskCanceledException and not OperationCanceledException { CancellationToken.IsCancellationRequested: true }))
        {
            throw new ServiceApiUnavailableException($"The rules service did not answer: {e.Message}", e);
        }
    }
}
