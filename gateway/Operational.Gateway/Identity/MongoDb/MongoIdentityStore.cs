using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;
using Operational.ServiceDefaults.Storage;

namespace Operational.Gateway.Identity.MongoDb;

/// <summary>Projects and keys in the gateway's database: collections <c>projects</c> and <c>apiKeys</c>.</summary>
public sealed class MongoIdentityStore(IMongoDatabase database) : IIdentityStore
{
    private readonly IMongoCollection<ProjectDocument> _projects = database.GetCollection<ProjectDocument>("projects");
    private readonly IMongoCollection<ApiKeyDocument> _keys = database.GetCollection<ApiKeyDocument>("apiKeys");

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var keys = Builders<ApiKeyDocument>.IndexKeys;
        await _keys.Indexes.CreateManyAsync(
            [
                new CreateIndexModel<ApiKeyDocument>(keys.Ascending(k => k.Hash), new CreateIndexOptions { Name = "hash", Unique = true }),
                new CreateIndexModel<ApiKeyDocument>(keys.Ascending(k => k.ProjectId), new CreateIndexOptions { Name = "project" }),
            ],
            cancellationToken);
    }

    public Task PingAsync(CancellationToken cancellationToken) => MongoClientProvider.PingAsync(database, cancellationToken);

    public async Task<bool> AnyKeyAsync(CancellationToken cancellationToken) =>
        await _keys.Find(FilterDefinition<ApiKeyDocument>.Empty).Limit(1).AnyAsync(cancellationToken);

    public async Task<bool> TryCreateProjectAsync(Project project, CancellationToken cancellationToken)
    {
        try
        {
            await _projects.InsertOneAsync(
                new ProjectDocument { Id = project.Id, Name = project.Name, CreatedAt = project.CreatedAt.UtcDateTime },
                cancellationToken: cancellationToken);
            return true;
        }
        catch (MongoWriteException e) when (e.WriteError?.Category == ServerErrorCategory.DuplicateKey)
        {
            return false;
        }
    }

    public async Task<bool> TryAddKeyAsync(ApiKey key, CancellationToken cancellationToken)
    {
        try
        {
            await _keys.InsertOneAsync(ApiKeyDocument.From(key), cancellationToken: cancellationToken);
            return true;
        }
        catch (MongoWriteException e) when (e.WriteError?.Category == ServerErrorCategory.DuplicateKey)
        {
            return false;
        }
    }

    public async Task<ApiKey?> FindKeyByHashAsync(string hash, CancellationToken cancellationToken)
    {
        var document = await _keys.Find(k => k.Hash == hash).FirstOrDefaultAsync(cancellationToken);
        return document?.ToApiKey();
    }

    [BsonIgnoreExtraElements]
    internal sealed class ProjectDocument
    {
        [BsonId]
        public string Id { get; set; } = "";

        [BsonElement("name")]
        public string Name { get; set; } = "";

        [BsonElement("createdAt")]
        [BsonDateTimeOptions(Kind = DateTimeKind.Utc)]
        public DateTime CreatedAt { get; set; }
    }

    [BsonIgnoreExtraElements]
    internal sealed class ApiKeyDocument
    {
        [BsonId]
        public string Id { get; set; } = "";

        [BsonElement("projectId")]
        public string ProjectId { get; set; } = "";

        [BsonElement("name")]
        public string Name { get; set; } = "";

        [BsonElement("prefix")]
        public string Prefix { get; set; } = "";

        [BsonElement("hash")]
        public string Hash { get; set; } = "";

        [BsonElement("scopes")]
        public List<string> Scopes { get; set; } = [];

        [BsonElement("createdAt")]
        [BsonDateTimeOptions(Kind = DateTimeKind.Utc)]
        public DateTime CreatedAt { get; set; }

        [BsonElement("revokedAt")]
        [BsonDateTimeOptions(Kind = DateTimeKind.Utc)]
        [BsonIgnoreIfNull]
        public DateTime? RevokedAt { get; set; }

        public static ApiKeyDocument From(ApiKey key) => new()
        {
            Id = key.Id,
            ProjectId = key.ProjectId,
            Name = key.Name,
            Prefix = key.Prefix,
            Hash = key.Hash,
            Scopes = key.Scopes.ToList(),
            CreatedAt = key.CreatedAt.UtcDateTime,
            RevokedAt = key.RevokedAt?.UtcDateTime,
        };

        public ApiKey ToApiKey() => new(
            Id,
            ProjectId,
            Name,
            Prefix,
            Hash,
            Scopes,
            new DateTimeOffset(DateTime.SpecifyKind(CreatedAt, DateTimeKind.Utc)),
            RevokedAt is { } revoked ? new DateTimeOffset(DateTime.SpecifyKind(revoked, DateTimeKind.Utc)) : null);
    }
}
