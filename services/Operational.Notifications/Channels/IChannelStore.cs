using Operational.ServiceDefaults.Storage;

namespace Operational.Notifications.Channels;

/// <summary>The projects' channels. SQLite and MongoDB pass the same contract tests.</summary>
public interface IChannelStore : IServiceStore
{
    Task<Channel?> GetAsync(string projectId, string channelId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Channel>> ListAsync(string projectId, CancellationToken cancellationToken);

    /// <summary>Creates or replaces the channel.</summary>
    Task SaveAsync(Channel channel, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string projectId, string channelId, CancellationToken cancellationToken);
}
