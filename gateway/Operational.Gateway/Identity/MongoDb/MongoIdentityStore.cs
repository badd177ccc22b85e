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
                new ProjectDocument { Id = project.Id, Name = project.Name, CreatedAt = project.CreatedAt.UtcDateTime, RevokedAt = project.RevokedAt?.UtcDateTime },
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

    public async Task<IReadOnlyList<Project>> ListProjectsAsync(CancellationToken cancellationToken)
    {
        var documents = await _projects.Find(FilterDefinition<ProjectDocument>.Empty)
            .Sort(Builders<ProjectDocument>.Sort.Ascending(p => p.CreatedAt).Ascending(p => p.Id))
            .ToListAsync(cancellationToken);
        return documents.Select(d => d.ToProject()).ToList();
    }

    public async Task<Project?> GetProjectAsync(string projectId, CancellationToken cancellationToken) =>
        (await _projects.Find(p => p.Id == projectId).FirstOrDefaultAsync(cancellationToken))?.ToProject();

    public async Task<bool> RevokeProjectAsync(string projectId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var revoked = await _projects.UpdateOneAsync(
            p => p.Id == projectId && p.RevokedAt == null,
            Builders<ProjectDocument>.Update.Set(p => p.RevokedAt, at.UtcDateTime),
            cancellationToken: cancellationToken);
        // Keys after the project: if this step fails, a retry of the revocation finishes it.
        await _keys.UpdateManyAsync(
            k => k.ProjectId == projectId && k.RevokedAt == null,
            Builders<ApiKeyDocument>.Update.Set(k => k.RevokedAt, at.UtcDateTime),
            cancellationToken: cancellationToken);
        return revoked.ModifiedCount == 1;
    }

    public async Task<IReadOnlyList<ApiKey>> ListKeysAsync(string projectId, CancellationToken cancellationToken)
    {
        var documents = await _keys.Find(k => k.ProjectId == projectId)
            .Sort(Builders<ApiKeyDocument>.Sort.Descending(k => k.CreatedAt).Descending(k => k.Id))
            .ToListAsync(cancellationToken);
        return documents.Select(d => d.ToApiKey()).ToList();
    }

    public async Task<bool> RevokeKeyAsync(string projectId, string keyId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var result = await _keys.UpdateOneAsync(
            k => k.Id == keyId && k.ProjectId == projectId && k.RevokedAt == null,
            Builders<ApiKeyDocument>.Update.Set(k => k.RevokedAt, at.UtcDateTime),
            cancellationToken: cancellationToken);
        return result.ModifiedCount == 1;
    }

    private static DateTimeOffset? Utc(DateTime? value) =>
        value is { } time ? new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)) : null;

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

        [BsonElement("revokedAt")]
        [BsonDateTimeOptions(Kind = DateTimeKind.Utc)]
        [BsonIgnoreIfNull]
        public DateTime? RevokedAt { get; set; }

        public Project ToProject() => new(Id, Name, Utc(CreatedAt)!.Value, Utc(RevokedAt));
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
            Utc(CreatedAt)!.Value,
            Utc(RevokedAt));
    }
}
