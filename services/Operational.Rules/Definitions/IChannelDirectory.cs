using Microsoft.Extensions.Options;
using Operational.Contracts.Api;
using Operational.ServiceDefaults.ServiceApis;

namespace Operational.Rules.Definitions;

/// <summary>
/// Which channels exist: the notifications service owns them, so a rule's channel ids are checked
/// against its API when the rule is saved.
/// </summary>
public interface IChannelDirectory
{
    /// <summary>The ids among <paramref name="channelIds"/> that the project has no channel for.</summary>
    /// <exception cref="ServiceApiUnavailableException">The notifications service could not be asked.</exception>
    Task<IReadOnlyList<string>> UnknownAsync(string projectId, IReadOnlyList<string> channelIds, string? forwardedIdentity, CancellationToken cancellationToken);
}

/// <summary>Distributed mode: <c>GET /v1/channels</c> on the notifications service, as the caller.</summary>
public sealed class NotificationsApiChannels(HttpClient http) : IChannelDirectory
{
    public const string HttpClientName = "notifications-api";

    public async Task<IReadOnlyList<string>> UnknownAsync(string projectId, IReadOnlyList<string> channelIds, string? forwardedIdentity, CancellationToken cancellationToken)
    {
        var channels = await http.GetJsonAsync<ChannelListResponse>("notifications", "/v1/channels", forwardedIdentity, cancellationToken);
        var known = channels.Channels.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        return channelIds.Where(id => !known.Contains(id)).ToList();
    }
}

public static class ChannelDirectoryRegistration
{
    public static IServiceCollection AddNotificationsApiChannels(this IServiceCollection services)
    {
        services.AddHttpClient<IChannelDirectory, NotificationsApiChannels>(NotificationsApiChannels.HttpClientName, (provider, http) =>
        {
            var options = provider.GetRequiredService<IOptions<RulesOptions>>().Value;
            http.BaseAddress = new Uri(options.NotificationsApi);
            http.Timeout = options.NotificationsTimeout;
        });
        return services;
    }
}
