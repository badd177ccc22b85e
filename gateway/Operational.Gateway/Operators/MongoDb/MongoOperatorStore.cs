using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;
using Operational.ServiceDefaults.Storage;

namespace Operational.Gateway.Operators.MongoDb;

/// <summary>Operators and sessions in the gateway's database: collections <c>operators</c> and <c>sessions</c>.</summary>
public sealed class MongoOperatorStore(IMongoDatabase database) : IOperatorStore
{
    private readonly IMongoCollection<OperatorDocument> _operators = database.GetCollection<OperatorDocument>("operators");
    private readonly IMongoCollection<SessionDocument> _sessions = database.GetCollection<SessionDocument>("sessions");

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _operators.Indexes.CreateOneAsync(
            new CreateIndexModel<OperatorDocument>(Builders<OperatorDocument>.IndexKeys.Ascending(o => o.Username), new CreateIndexOptions { Name = "username", Unique = true }),
            cancellationToken: cancellationToken);
        var sessions = Builders<SessionDocument>.IndexKeys;
        await _sessions.Indexes.CreateManyAsync(
            [
                new CreateIndexModel<SessionDocument>(sessions.Ascending(s => s.OperatorId), new CreateIndexOptions { Name = "operator" }),
                // MongoDB removes expired sessions by itself; DeleteExpiredSessionsAsync only hurries it.
                new CreateIndexModel<SessionDocument>(sessions.Ascending(s => s.ExpiresAt), new CreateIndexOptions { Name = "expiry", ExpireAfter = TimeSpan.Zero }),
            ],
            cancellationToken);
    }

    public Task PingAsync(CancellationToken cancellationToken) => MongoClientProvider.PingAsync(database, cancellationToken);

    public async Task<bool> AnyOperatorAsync(CancellationToken cancellationToken) =>
        await _operators.Find(FilterDefinition<OperatorDocument>.Empty).Limit(1).AnyAsync(cancellationToken);

    public async Task<bool> TryAddOperatorAsync(Operator account, CancellationToken cancellationToken)
    {
        try
        {
            await _operators.InsertOneAsync(OperatorDocument.From(account), cancellationToken: cancellationToken);
            return true;
        }
        catch (MongoWriteException e) when (e.WriteError?.Category == ServerErrorCategory.DuplicateKey)
        {
            return false;
        }
    }

    public async Task<Operator?> FindByUsernameAsync(string normalizedUsername, CancellationToken cancellationToken) =>
        (await _operators.Find(o => o.Username == normalizedUsername).FirstOrDefaultAsync(cancellationToken))?.ToOperator();

    public async Task<IReadOnlyList<Operator>> ListOperatorsAsync(CancellationToken cancellationToken) =>
        (await _operators.Find(FilterDefinition<OperatorDocument>.Empty)
            .Sort(Builders<OperatorDocument>.Sort.Ascending(o => o.CreatedAt).Ascending(o => o.Id))
            .ToListAsync(cancellationToken))
        .Select(d => d.ToOperator()).ToList();

    public async Task<bool> DeleteOperatorAsync(string operatorId, CancellationToken cancellationToken)
    {
        // Sessions first: a crash in between leaves an operator without sessions, never sessions without an operator.
        await _sessions.DeleteManyAsync(s => s.OperatorId == operatorId, cancellationToken);
        return (await _operators.DeleteOneAsync(o => o.Id == operatorId, cancellationToken)).DeletedCount == 1;
    }

    public async Task SetPasswordHashAsync(string operatorId, string passwordHash, string? keepSessionHash, CancellationToken cancellationToken)
    {
        await _operators.UpdateOneAsync(o => o.Id == operatorId, Builders<OperatorDocument>.Update.Set(o => o.PasswordHash, passwordHash), cancellationToken: cancellationToken);
        await _sessions.DeleteManyAsync(s => s.OperatorId == operatorId && s.Hash != keepSessionHash, cancellationToken);
    }

    public Task AddSessionAsync(OperatorSession session, CancellationToken cancellationToken) =>
        _sessions.InsertOneAsync(SessionDocument.From(session), cancellationToken: cancellationToken);

    public async Task<(OperatorSession Session, Operator Operator)?> FindSessionAsync(string hash, CancellationToken cancellationToken)
    {
        var session = await _sessions.Find(s => s.Hash == hash).FirstOrDefaultAsync(cancellationToken);
        if (session is null)
        {
            return null;
        }

        var account = await _operators.Find(o => o.Id == session.OperatorId).FirstOrDefaultAsync(cancellationToken);
        return account is null ? null : (session.ToSession(), account.ToOperator());
    }

    public Task DeleteSessionAsync(string hash, CancellationToken cancellationToken) =>
        _sessions.DeleteOneAsync(s => s.Hash == hash, cancellationToken);

    public async Task<int> DeleteExpiredSessionsAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        (int)(await _sessions.DeleteManyAsync(s => s.ExpiresAt < now.UtcDateTime, cancellationToken)).DeletedCount;

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    [BsonIgnoreExtraElements]
    internal sealed class OperatorDocument
    {
        [BsonId]
        public string Id { get; set; } = "";

        [BsonElement("username")]
        public string Username { get; set; } = "";

        [BsonElement("passwordHash")]
        public string PasswordHash { get; set; } = "";

        [BsonElement("role")]
        public string Role { get; set; } = "";

        [BsonElement("createdAt")]
        [BsonDateTimeOptions(Kind = DateTimeKind.Utc)]
        public DateTime CreatedAt { get; set; }

        public static OperatorDocument From(Operator o) => new()
        {
            Id = o.Id, Username = o.Username, PasswordHash = o.PasswordHash, Role = o.Role, CreatedAt = o.CreatedAt.UtcDateTime,
        };

        public Operator ToOperator() => new(Id, Username, PasswordHash, Role, Utc(CreatedAt));
    }

    [BsonIgnoreExtraElements]
    internal sealed class SessionDocument
    {
        [BsonId]
        public string Hash { get; set; } = "";

        [BsonElement("operatorId")]
        public string OperatorId { get; set; } = "";

        [BsonElement("createdAt")]
        [BsonDateTimeOptions(Kind = DateTimeKind.Utc)]
        public DateTime CreatedAt { get; set; }

        [BsonElement("expiresAt")]
        [BsonDateTimeOptions(Kind = DateTimeKind.Utc)]
        public DateTime ExpiresAt { get; set; }

        public static SessionDocument From(OperatorSession s) => new()
        {
            Hash = s.Hash, OperatorId = s.OperatorId, CreatedAt = s.CreatedAt.UtcDateTime, ExpiresAt = s.ExpiresAt.UtcDateTime,
        };

        public OperatorSession ToSession() => new(Hash, OperatorId, Utc(CreatedAt), Utc(ExpiresAt));
    }
}
