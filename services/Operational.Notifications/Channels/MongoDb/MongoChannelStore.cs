using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;
using Operational.Notifications.Channels.Sqlite;
using Operational.ServiceDefaults.Storage;

namespace Operational.Notifications.Channels.MongoDb;

/// <summary>Channels in the notifications service's MongoDB database, id <c>{project}/{channel}</c>.</summary>
public sealed class MongoChannelStore(IMongoDatabase database) : IChannelStore
{
    private readonly IMongoCollection<ChannelDocument> _channels = database.GetCollection<ChannelDocument>("channels");

    public Task InitializeAsync(CancellationToken cancellationToken) =>
        _channels.Indexes.CreateOneAsync(new CreateIndexModel<ChannelDocument>(
            Builders<ChannelDocument>.IndexKeys.Ascending(c => c.ProjectId).Ascending(c => c.CreatedAt), new CreateIndexOptions { Name = "project" }),
            cancellationToken: cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) => MongoClientProvider.PingAsync(database, cancellationToken);

    public async Task<Channel?> GetAsync(string projectId, string channelId, CancellationToken cancellationToken) =>
        (await _channels.Find(c => c.Id == Key(projectId, channelId)).FirstOrDefaultAsync(cancellationToken))?.ToChannel();

    public async Task<IReadOnlyList<Channel>> ListAsync(string projectId, CancellationToken cancellationToken) =>
        (await _channels.Find(c => c.ProjectId == projectId).SortBy(c => c.CreatedAt).ThenBy(c => c.Id).ToListAsync(cancellationToken))
        .Select(c => c.ToChannel()).ToList();

    public Task SaveAsync(Channel channel, CancellationToken cancellationToken) =>
        _channels.ReplaceOneAsync(c => c.Id == Key(channel.ProjectId, channel.Id), ChannelDocument.From(channel), new ReplaceOptions { IsUpsert = true }, cancellationToken);

    public async Task<bool> DeleteAsync(string projectId, string channelId, CancellationToken cancellationToken) =>
        (await _channels.DeleteOneAsync(c => c.Id == Key(projectId, channelId), cancellationToken)).DeletedCount == 1;

    // Project ids are generated (letters, digits, '-'), so '/' cannot make two keys collide.
    private static string Key(string projectId, string channelId) => projectId + "/" + channelId;

    private sealed class ChannelDocument
    {
        [BsonId] public required string Id { get; init; }

        [BsonElement("p")] public required string ProjectId { get; init; }

        [BsonElement("c")] public required string ChannelId { get; init; }

        [BsonElement("definition")] public required string Definition { get; init; }

        [BsonElement("createdAt")] public long CreatedAt { get; init; }

        [BsonElement("updatedAt")] public long UpdatedAt { get; init; }

        public static ChannelDocument From(Channel channel) => new()
        {
            Id = Key(channel.ProjectId, channel.Id),
            ProjectId = channel.ProjectId,
            ChannelId = channel.Id,
            Definition = ChannelJson.Write(channel.Definition),
            CreatedAt = channel.CreatedAt.ToUnixTimeMilliseconds(),
            UpdatedAt = channel.UpdatedAt.ToUnixTimeMilliseconds(),
        };

        public Channel ToChannel() => new(ChannelId, ProjectId, ChannelJson.Read(Definition),
            DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(UpdatedAt));
    }
}
