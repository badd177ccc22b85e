using System.Diagnostics;
using System.Text.Json;
using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;
using Operational.Storage.Metrics;

namespace Operational.Storage.Events.MongoDb;

/// <summary>
/// Saved metrics in <c>saved_metrics</c> (the definition as JSON, as SQLite keeps it). Inserts fold
/// into them from a copy read at most every <see cref="SavedMetricsRefresh"/>, so a new metric
/// starts counting on every storage replica within that time of its creation (events received
/// in between are not measured).
/// </summary>
public sealed partial class MongoEventStore
{
    private static readonly TimeSpan SavedMetricsRefresh = TimeSpan.FromSeconds(5);

    private IMongoCollection<SavedMetricDocument> SavedMetricDocuments => database.GetCollection<SavedMetricDocument>("saved_metrics");

    private SavedMetrics.Set _savedMetrics = SavedMetrics.Set.Empty;
    private long _savedMetricsRead = long.MinValue;

    private async Task<SavedMetrics.Set> SavedMetricsForFoldingAsync(CancellationToken cancellationToken)
    {
        var read = Interlocked.Read(ref _savedMetricsRead);
        if (read == long.MinValue || Stopwatch.GetElapsedTime(read) >= SavedMetricsRefresh)
        {
            _savedMetrics = new SavedMetrics.Set(await ListSavedMetricsAsync(null, cancellationToken));
            Interlocked.Exchange(ref _savedMetricsRead, Stopwatch.GetTimestamp());
        }

        return _savedMetrics;
    }

    public async Task<IReadOnlyList<SavedMetric>> ListSavedMetricsAsync(string? projectId, CancellationToken cancellationToken)
    {
        var filter = projectId is null ? Builders<SavedMetricDocument>.Filter.Empty : Builders<SavedMetricDocument>.Filter.Eq(d => d.ProjectId, projectId);
        var documents = await SavedMetricDocuments.Find(filter).ToListAsync(cancellationToken);
        return documents.Select(d => JsonSerializer.Deserialize<SavedMetric>(d.Definition, JsonSerializerOptions.Web)!)
            .OrderBy(m => m.ProjectId, StringComparer.Ordinal).ThenBy(m => m.Key, StringComparer.Ordinal).ToList();
    }

    /// <remarks>The count and the insert are two steps: replicas adding at the same moment may pass the cap by one each.</remarks>
    public async Task<SavedMetricAdded> AddSavedMetricAsync(SavedMetric metric, int maxPerProject, CancellationToken cancellationToken)
    {
        if (await SavedMetricDocuments.CountDocumentsAsync(d => d.ProjectId == metric.ProjectId, cancellationToken: cancellationToken) >= maxPerProject)
        {
            return SavedMetricAdded.TooMany;
        }

        try
        {
            await SavedMetricDocuments.InsertOneAsync(new SavedMetricDocument
            {
                Id = IdOf(metric.ProjectId, metric.Key),
                ProjectId = metric.ProjectId,
                Definition = JsonSerializer.Serialize(metric, JsonSerializerOptions.Web),
            }, cancellationToken: cancellationToken);
            return SavedMetricAdded.Added;
        }
        catch (MongoWriteException e) when (e.WriteError.Category == ServerErrorCategory.DuplicateKey)
        {
            return SavedMetricAdded.KeyTaken;
        }
    }

    public async Task<bool> DeleteSavedMetricAsync(string projectId, string key, CancellationToken cancellationToken)
    {
        if (await SavedMetricDocuments.FindOneAndDeleteAsync(d => d.Id == IdOf(projectId, key), cancellationToken: cancellationToken) is not { } deleted)
        {
            return false;
        }

        var name = JsonSerializer.Deserialize<SavedMetric>(deleted.Definition, JsonSerializerOptions.Web)!.SeriesName;
        await Rollups.DeleteManyAsync(r => r.ProjectId == projectId && r.Name == name, cancellationToken);
        return true;
    }

    private static string IdOf(string projectId, string key) => JsonSerializer.Serialize(new[] { projectId, key });

    internal sealed class SavedMetricDocument
    {
        [BsonId] public string Id { get; set; } = "";
        [BsonElement("projectId")] public string ProjectId { get; set; } = "";
        [BsonElement("definition")] public string Definition { get; set; } = "";
    }
}
