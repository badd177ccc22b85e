using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;
using Operational.Rules.Alerts;
using Operational.Rules.Definitions;

namespace Operational.Rules.Storage.MongoDb;

/// <remarks>
/// A rule's checks run on one replica at a time (Hangfire.Mongo's locks), so its history is read
/// and written without a transaction.
/// </remarks>
public sealed partial class MongoRulesStore
{
    private IMongoCollection<HistoryDocument> History => database.GetCollection<HistoryDocument>("rule_check_history");

    public async Task<CheckHistory> RecordCheckAsync(string ruleId, string? group, bool failed, CancellationToken cancellationToken)
    {
        var id = ruleId + "\n" + RulesJson.GroupKey(group);
        var before = await History.Find(h => h.Id == id).FirstOrDefaultAsync(cancellationToken);
        var history = new CheckHistory(before is null ? 0 : unchecked((ulong)before.Failed), before?.Count ?? 0).Then(failed, RuleValidator.MaxChecksRemembered);
        await History.ReplaceOneAsync(h => h.Id == id, new HistoryDocument { Id = id, RuleId = ruleId, Failed = unchecked((long)history.Failed), Count = history.Count },
            new ReplaceOptions { IsUpsert = true }, cancellationToken);
        return history;
    }

    private Task DeleteHistoryAsync(string ruleId, CancellationToken cancellationToken) => History.DeleteManyAsync(h => h.RuleId == ruleId, cancellationToken);

    private sealed class HistoryDocument
    {
        [BsonId] public required string Id { get; init; }

        [BsonElement("r")] public required string RuleId { get; init; }

        [BsonElement("failed")] public long Failed { get; init; }

        [BsonElement("n")] public int Count { get; init; }
    }
}
