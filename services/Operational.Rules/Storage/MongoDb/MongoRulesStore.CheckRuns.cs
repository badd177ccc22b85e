using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;
using Operational.Contracts.Checks;
using Operational.Rules.JobChecks;

namespace Operational.Rules.Storage.MongoDb;

/// <remarks>
/// Without a transaction, two pings of one check arriving at the same moment could both pair with
/// the same start; the later write wins. Pings of one check are minutes apart in practice.
/// </remarks>
public sealed partial class MongoRulesStore
{
    private IMongoCollection<CheckRunDocument> CheckRuns => database.GetCollection<CheckRunDocument>("check_runs");

    private IMongoCollection<CheckPingDocument> CheckPings => database.GetCollection<CheckPingDocument>("check_pings");

    public async Task<RunStep> RecordPingAsync(string projectId, string checkId, CheckPing ping, Func<string> newRunId, CancellationToken cancellationToken)
    {
        var current = ping.RunId is { } runId
            ? await CheckRuns.Find(r => r.Id == CheckRunDocument.IdOf(checkId, runId)).FirstOrDefaultAsync(cancellationToken)
            : await CheckRuns.Find(r => r.CheckId == checkId && !r.Keyed && r.EndedAt == null).SortByDescending(r => r.At).FirstOrDefaultAsync(cancellationToken);
        var step = RunPairing.Decide(projectId, checkId, ping, current?.ToRun(), newRunId);
        if (step.Save is { } run)
        {
            await CheckRuns.ReplaceOneAsync(r => r.Id == CheckRunDocument.IdOf(checkId, run.RunId), CheckRunDocument.From(run),
                new ReplaceOptions { IsUpsert = true }, cancellationToken);
            var kept = await CheckRuns.Find(r => r.CheckId == checkId).SortByDescending(r => r.At).Skip(ICheckRunStore.KeptRuns).Limit(1).FirstOrDefaultAsync(cancellationToken);
            if (kept is not null)
            {
                await CheckRuns.DeleteManyAsync(r => r.CheckId == checkId && r.At <= kept.At, cancellationToken);
            }
        }

        await CheckPings.UpdateOneAsync(p => p.Id == checkId,
            Builders<CheckPingDocument>.Update.Set(p => p.LastPingAt, ping.At.ToUnixTimeMilliseconds()).Set(p => p.LastSignal, ping.Signal).Inc(p => p.Pings, 1),
            new UpdateOptions { IsUpsert = true }, cancellationToken);
        return step;
    }

    public async Task<IReadOnlyList<CheckRun>> RunsAsync(string checkId, int limit, CancellationToken cancellationToken) =>
        (await CheckRuns.Find(r => r.CheckId == checkId).SortByDescending(r => r.At).Limit(limit).ToListAsync(cancellationToken)).Select(r => r.ToRun()).ToList();

    public async Task<IReadOnlyDictionary<string, CheckPingState>> PingStatesAsync(IReadOnlyCollection<string> checkIds, CancellationToken cancellationToken)
    {
        var states = new Dictionary<string, CheckPingState>(StringComparer.Ordinal);
        foreach (var ping in await CheckPings.Find(p => checkIds.Contains(p.Id)).ToListAsync(cancellationToken))
        {
            var open = await CheckRuns.Find(r => r.CheckId == ping.Id && r.EndedAt == null).SortByDescending(r => r.At).FirstOrDefaultAsync(cancellationToken);
            states[ping.Id] = new CheckPingState(ping.Id, DateTimeOffset.FromUnixTimeMilliseconds(ping.LastPingAt), ping.LastSignal, ping.Pings, open?.ToRun());
        }

        return states;
    }

    private Task InitializeCheckRunsAsync(CancellationToken cancellationToken) =>
        CheckRuns.Indexes.CreateOneAsync(new CreateIndexModel<CheckRunDocument>(
            Builders<CheckRunDocument>.IndexKeys.Ascending(r => r.CheckId).Descending(r => r.At), new CreateIndexOptions { Name = "recent" }), cancellationToken: cancellationToken);

    private async Task DeleteCheckRunsAsync(string checkId, CancellationToken cancellationToken)
    {
        await CheckRuns.DeleteManyAsync(r => r.CheckId == checkId, cancellationToken);
        await CheckPings.DeleteOneAsync(p => p.Id == checkId, cancellationToken);
    }

    private sealed class CheckRunDocument
    {
        [BsonId] public required string Id { get; init; }

        [BsonElement("check")] public required string CheckId { get; init; }

        [BsonElement("run")] public required string RunId { get; init; }

        [BsonElement("p")] public required string ProjectId { get; init; }

        [BsonElement("keyed")] public bool Keyed { get; init; }

        [BsonElement("startedAt")] public long? StartedAt { get; init; }

        [BsonElement("endedAt")] public long? EndedAt { get; init; }

        [BsonElement("outcome")] public string? Outcome { get; init; }

        [BsonElement("exit")] public int? ExitStatus { get; init; }

        [BsonElement("durationMs")] public long? DurationMs { get; init; }

        [BsonElement("output")] public string? Output { get; init; }

        [BsonElement("at")] public long At { get; init; }

        public static string IdOf(string checkId, string runId) => checkId + "\n" + runId;

        public static CheckRunDocument From(CheckRun run) => new()
        {
            Id = IdOf(run.CheckId, run.RunId),
            CheckId = run.CheckId,
            RunId = run.RunId,
            ProjectId = run.ProjectId,
            Keyed = run.Keyed,
            StartedAt = run.StartedAt?.ToUnixTimeMilliseconds(),
            EndedAt = run.EndedAt?.ToUnixTimeMilliseconds(),
            Outcome = run.Outcome,
            ExitStatus = run.ExitStatus,
            DurationMs = run.DurationMs,
            Output = run.Output,
            At = run.At.ToUnixTimeMilliseconds(),
        };

        public CheckRun ToRun() => new(CheckId, RunId, ProjectId, Keyed, Time(StartedAt), Time(EndedAt), Outcome, ExitStatus, DurationMs, Output);

        private static DateTimeOffset? Time(long? ms) => ms is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;
    }

    private sealed class CheckPingDocument
    {
        [BsonId] public required string Id { get; init; }

        [BsonElement("lastPingAt")] public long LastPingAt { get; init; }

        [BsonElement("lastSignal")] public required string LastSignal { get; init; }

        [BsonElement("pings")] public long Pings { get; init; }
    }
}
