using Microsoft.Extensions.DependencyInjection.Extensions;
using Operational.Notifications.Channels;
using Operational.Rules.Definitions;

namespace Operational.Standalone;

/// <summary>
/// In the standalone host the notifications module lives in the same process, so a rule's channel
/// ids are checked against its channel store directly (what <c>GET /v1/channels</c> lists). The
/// distributed rules service asks the notifications API (<see cref="NotificationsApiChannels"/>).
/// </summary>
internal sealed class InProcessChannelDirectory(IChannelStore channels) : IChannelDirectory
{
    public async Task<IReadOnlyList<string>> UnknownAsync(string projectId, IReadOnlyList<string> channelIds, string? forwardedIdentity, CancellationToken cancellationToken)
    {
        var known = (await channels.ListAsync(projectId, cancellationToken)).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        return channelIds.Where(id => !known.Contains(id)).ToList();
    }
}

internal static class InProcessChannelDirectoryRegistration
{
    public static IHostApplicationBuilder UseInProcessChannelDirectory(this IHostApplicationBuilder builder)
    {
        builder.Services.Replace(ServiceDescriptor.Singleton<IChannelDirectory, InProcessChannelDirectory>());
        return builder;
    }
}
