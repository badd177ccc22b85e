using System.Text.Json;
using System.Text.RegularExpressions;
using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;
using Operational.ServiceDefaults.Storage;

namespace Operational.Contexts.Tracking.MongoDb;

/// <summary>
/// Contexts in the contexts service's MongoDB database. Without multi-document transactions
/// an incremental update could be applied twice or lost between the entry insert and the
/// context update, so a context is refolded from all its entries instead, and written only if
/// no one else wrote it since it was read (a version number). Refolding is idempotent, so a
/// redelivered batch refolds again and repairs a write that a crash cut short. Every write to a
/// context document, claims included, bumps its version.
/// </summary>
public sealed class MongoContextStore(IMongoDatabase database, int defaultTimeoutSeconds) : IContextStore
{
    private static readonly JsonSerializerOptions EntryJson = new(JsonSerializerDefaults.Web);

    private readonly IMongoCollection<EntryDocument> _entries = database.GetCollection<EntryDocument>("context_entries");
    private readonly IMongoCollection<ContextDocument> _contexts = database.GetCollection<ContextDocument>("contexts");
    private readonly IMongoCollection<SettingsDocument> _settings = database.GetCollection<SettingsDocument>("context_settings");

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _entries.Indexes.CreateOneAsync(
            new CreateIndexModel<EntryDocument>(Builders<EntryDocument>.IndexKeys.Ascending(e => e.ProjectId).Ascending(e => e.ContextId), new CreateIndexOptions { Name = "context" }),
            cancellationToken: cancellationToken);
        var keys = Builders<ContextDocument>.IndexKeys;
        await _contexts.Indexes.CreateManyAsync(
            [
                new CreateIndexModel<ContextDocument>(
                    keys.Ascending(c => c.ProjectId).Ascending(c => c.Test).Descending(c => c.FirstTs).Descending(c => c.ContextId),
                    new CreateIndexOptions { Name = "list" }),
                new CreateIndexModel<ContextDocument>(keys.Ascending(c => c.LastTs), new CreateIndexOptions { Name = "last" }),
                new CreateIndexModel<ContextDocument>(
                    keys.Ascending(c => c.PendingTs),
                    new CreateIndexOptions<ContextDocument> { Name = "pending", PartialFilterExpression = Builders<ContextDocument>.Filter.Exists(c => c.PendingTs) }),
            ],
            cancellationToken);
    }

    public Task PingAsync(CancellationToken cancellationToken) => MongoClientProvider.PingAsync(database, cancellationToken);

    public async Task<bool> ApplyAsync(IReadOnlyList<ContextEntryFor> entries, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return false;
        }

        var documents = entries.Select(e => new EntryDocument
        {
            Id = new EntryKey { ProjectId = e.ProjectId, ContextId = e.ContextId, EventId = e.Entry.EventId },
            ProjectId = e.ProjectId,
            ContextId = e.ContextId,
            Entry = JsonSerializer.Serialize(e.Entry, EntryJson),
        }).ToList();
        try
        {
            await _entries.InsertManyAsync(documents, new InsertManyOptions { IsOrdered = false }, cancellationToken);
        }
        catch (MongoBulkWriteException<EntryDocument> e)
            when (e.WriteConcernError is null && e.WriteErrors.All(error => error.Category == ServerErrorCategory.DuplicateKey))
        {
            // Unordered: the others were inserted; the duplicates were there already.
        }

        // Every context of the batch, also those whose entries were all duplicates: a redelivery
        // after a crash between the insert and the refold is what completes that refold.
        var due = false;
        foreach (var (projectId, contextId) in entries.Select(e => (e.ProjectId, e.ContextId)).Distinct())
        {
            due |= (await RefoldAsync(projectId, contextId, cancellationToken))?.PendingAt == DateTimeOffset.UnixEpoch;
        }

        return due;
    }

    public async Task<ContextRecord?> GetAsync(string projectId, string contextId, CancellationToken cancellationToken)
    {
        var document = await _contexts.Find(c => c.Id == Key(projectId, contextId)).FirstOrDefaultAsync(cancellationToken);
        return document?.ToRecord();
    }

    public async Task<ContextPage> ListAsync(string projectId, ContextQuery query, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var filter = Builders<ContextDocument>.Filter;
        var nowMs = now.ToUnixTimeMilliseconds();
        var where = filter.Eq(c => c.ProjectId, projectId) & filter.Eq(c => c.Test, query.Test);
        where &= query.Status switch
        {
            null => filter.Empty,
            ContextStatus.Open => filter.Eq(c => c.Status, ContextStatus.Open) & filter.Gt(c => c.StallTs, nowMs),
            ContextStatus.Stalled => filter.Eq(c => c.Status, ContextStatus.Open) & filter.Lte(c => c.StallTs, nowMs),
            var status => filter.Eq(c => c.Status, status),
        };
        if (query.Category is not null)
        {
            where &= filter.Eq(c => c.Category, query.Category);
        }

        if (query.From is { } from)
        {
            where &= filter.Gte(c => c.LastTs, from.ToUnixTimeMilliseconds());
        }

        if (query.To is { } to)
        {
            where &= filter.Lt(c => c.FirstTs, to.ToUnixTimeMilliseconds());
        }

        if (query.TitleContains is not null)
        {
            where &= filter.Regex(c => c.Title, new MongoDB.Bson.BsonRegularExpression(Regex.Escape(query.TitleContains), "i"));
        }

        if (query.After is { } after)
        {
            where &= filter.Lt(c => c.FirstTs, after.FirstEventMs) |
                     (filter.Eq(c => c.FirstTs, after.FirstEventMs) & filter.Lt(c => c.ContextId, after.ContextId));
        }

        var documents = await _contexts.Find(where)
            .Sort(Builders<ContextDocument>.Sort.Descending(c => c.FirstTs).Descending(c => c.ContextId))
            .Limit(query.Limit + 1)
            .ToListAsync(cancellationToken);
        return ContextPage.FromOverfetched(documents.Select(d => d.ToRecord()).ToList(), query.Limit);
    }

    public async Task<IReadOnlyList<ContextRecord>> ClaimDueAsync(DateTimeOffset now, TimeSpan lease, int limit, CancellationToken cancellationToken)
    {
        var filter = Builders<ContextDocument>.Filter;
        var nowMs = now.ToUnixTimeMilliseconds();
        var due = filter.Lte(c => c.PendingTs, nowMs) & (filter.Eq(c => c.ClaimedUntil, null) | filter.Lte(c => c.ClaimedUntil, nowMs));
        var claim = Builders<ContextDocument>.Update.Set(c => c.ClaimedUntil, (now + lease).ToUnixTimeMilliseconds()).Inc(c => c.Version, 1);
        var options = new FindOneAndUpdateOptions<ContextDocument>
        {
            Sort = Builders<ContextDocument>.Sort.Ascending(c => c.PendingTs),
            ReturnDocument = ReturnDocument.After,
        };
        var claimed = new List<ContextRecord>();
        while (claimed.Count < limit &&
               await _contexts.FindOneAndUpdateAsync(due, claim, options, cancellationToken) is { } document)
        {
            claimed.Add(document.ToRecord());
        }

        return claimed;
    }

    public async Task MarkAnnouncedAsync(string projectId, string contextId, string announcement, CancellationToken cancellationToken)
    {
        while (await _contexts.Find(c => c.Id == Key(projectId, contextId)).FirstOrDefaultAsync(cancellationToken) is { } document)
        {
            var record = document.ToRecord() with { Announced = announcement };
            if (await ReplaceIfUnchangedAsync(document, ContextDocument.From(record, document.Version + 1, claimedUntil: null), cancellationToken))
            {
                return;
            }
        }
    }

    public async Task<int> DeleteInactiveAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken)
    {
        var cutoffMs = cutoff.ToUnixTimeMilliseconds();
        var inactive = await _contexts.Find(c => c.LastTs < cutoffMs).SortBy(c => c.LastTs).Limit(limit).ToListAsync(cancellationToken);
        foreach (var context in inactive)
        {
            // Entries first: a context whose delete is cut short is found and deleted again next time.
            await _entries.DeleteManyAsync(e => e.ProjectId == context.ProjectId && e.ContextId == context.ContextId, cancellationToken);
            await _contexts.DeleteOneAsync(c => c.Id == context.Id && c.LastTs < cutoffMs, cancellationToken);
        }

        return inactive.Count;
    }

    public async Task<int?> GetDefaultTimeoutAsync(string projectId, CancellationToken cancellationToken)
    {
        var settings = await _settings.Find(s => s.ProjectId == projectId).FirstOrDefaultAsync(cancellationToken);
        return settings?.DefaultTimeoutSeconds;
    }

    public async Task SetDefaultTimeoutAsync(string projectId, int seconds, CancellationToken cancellationToken)
    {
        await _settings.ReplaceOneAsync(
            s => s.ProjectId == projectId,
            new SettingsDocument { ProjectId = projectId, DefaultTimeoutSeconds = seconds },
            new ReplaceOptions { IsUpsert = true },
            cancellationToken);
        var open = await _contexts
            .Find(c => c.ProjectId == projectId && c.Status == ContextStatus.Open && !c.OwnTimeout)
            .Project(c => c.ContextId)
            .ToListAsync(cancellationToken);
        foreach (var contextId in open)
        {
            await RefoldAsync(projectId, contextId, cancellationToken);
        }
    }

    /// <summary>Recomputes the context from all its entries and writes it unless someone else wrote it meanwhile, then tries again.</summary>
    private async Task<ContextRecord?> RefoldAsync(string projectId, string contextId, CancellationToken cancellationToken)
    {
        var key = Key(projectId, contextId);
        while (true)
        {
            // The document first: a write that succeeds below read the entries after every
            // write that preceded it, so no entry inserted before that write can be missing.
            var document = await _contexts.Find(c => c.Id == key).FirstOrDefaultAsync(cancellationToken);
            var entries = await _entries.Find(e => e.ProjectId == projectId && e.ContextId == contextId)
                .Project(e => e.Entry)
                .ToListAsync(cancellationToken);
            var state = ContextState.Fold(entries.Select(json => JsonSerializer.Deserialize<ContextEntry>(json, EntryJson)!));
            if (state is null)
            {
                return null;
            }

            var defaultTimeout = await GetDefaultTimeoutAsync(projectId, cancellationToken) ?? defaultTimeoutSeconds;
            var record = ContextRecord.For(projectId, contextId, state, defaultTimeout, document?.Announced, (document?.Version ?? 0) + 1);
            if (document is null)
            {
                try
                {
                    await _contexts.InsertOneAsync(ContextDocument.From(record, record.Version, claimedUntil: null), cancellationToken: cancellationToken);
                    return record;
                }
                catch (MongoWriteException e) when (e.WriteError.Category == ServerErrorCategory.DuplicateKey)
                {
                    continue; // another replica created it first
                }
            }

            var current = document.ToRecord();
            if (current.State == record.State && current.TimeoutSeconds == record.TimeoutSeconds)
            {
                return current;
            }

            if (await ReplaceIfUnchangedAsync(document, ContextDocument.From(record, record.Version, document.ClaimedUntil), cancellationToken))
            {
                return record;
            }
        }
    }

    private async Task<bool> ReplaceIfUnchangedAsync(ContextDocument read, ContextDocument replacement, CancellationToken cancellationToken)
    {
        var result = await _contexts.ReplaceOneAsync(c => c.Id == read.Id && c.Version == read.Version, replacement, cancellationToken: cancellationToken);
        return result.MatchedCount == 1;
    }

    private static ContextKey Key(string projectId, string contextId) => new() { ProjectId = projectId, ContextId = contextId };

    private sealed class EntryKey
    {
        [BsonElement("p")] public required string ProjectId { get; init; }

        [BsonElement("c")] public required string ContextId { get; init; }

        [BsonElement("e")] public required string EventId { get; init; }
    }

    private sealed class EntryDocument
    {
        [BsonId] public required EntryKey Id { get; init; }

        [BsonElement("p")] public required string ProjectId { get; init; }

        [BsonElement("c")] public required string ContextId { get; init; }

        /// <summary>The <see cref="ContextEntry"/> as JSON, the form the SQLite store's state uses too.</summary>
        [BsonElement("entry")] public required string Entry { get; init; }
    }

    private sealed class ContextKey
    {
        [BsonElement("p")] public required string ProjectId { get; init; }

        [BsonElement("c")] public required string ContextId { get; init; }
    }

    private sealed class ContextDocument
    {
        [BsonId] public required ContextKey Id { get; init; }

        [BsonElement("p")] public required string ProjectId { get; init; }

        [BsonElement("c")] public required string ContextId { get; init; }

        [BsonElement("state")] public required string State { get; init; }

        [BsonElement("title")] public required string Title { get; init; }

        [BsonElement("category")] public string? Category { get; init; }

        [BsonElement("test")] public bool Test { get; init; }

        [BsonElement("status")] public required string Status { get; init; }

        [BsonElement("firstTs")] public long FirstTs { get; init; }

        [BsonElement("lastTs")] public long LastTs { get; init; }

        [BsonElement("timeoutS")] public int TimeoutSeconds { get; init; }

        [BsonElement("ownTimeout")] public bool OwnTimeout { get; init; }

        [BsonElement("stallTs")] public long StallTs { get; init; }

        [BsonElement("announced")] public string? Announced { get; init; }

        [BsonElement("pendingTs"), BsonIgnoreIfNull] public long? PendingTs { get; init; }

        [BsonElement("claimedUntil")] public long? ClaimedUntil { get; init; }

        [BsonElement("version")] public long Version { get; init; }

        public static ContextDocument From(ContextRecord record, long version, long? claimedUntil) => new()
        {
            Id = Key(record.ProjectId, record.ContextId),
            ProjectId = record.ProjectId,
            ContextId = record.ContextId,
            State = ContextStateJson.Write(record.State),
            Title = record.State.Title,
            Category = record.State.Category,
            Test = record.State.Test,
            Status = record.State.Status,
            FirstTs = record.State.FirstEventAt.ToUnixTimeMilliseconds(),
            LastTs = record.State.LastEventAt.ToUnixTimeMilliseconds(),
            TimeoutSeconds = record.TimeoutSeconds,
            OwnTimeout = record.State.TimeoutSeconds is not null,
            StallTs = record.StallsAt.ToUnixTimeMilliseconds(),
            Announced = record.Announced,
            PendingTs = record.PendingAt?.ToUnixTimeMilliseconds(),
            ClaimedUntil = claimedUntil,
            Version = version,
        };

        public ContextRecord ToRecord() => new(ProjectId, ContextId, ContextStateJson.Read(State), TimeoutSeconds, Announced, Version);
    }

    private sealed class SettingsDocument
    {
        [BsonId] public required string ProjectId { get; init; }

        [BsonElement("defaultTimeoutS")] public int DefaultTimeoutSeconds { get; init; }
    }
}
