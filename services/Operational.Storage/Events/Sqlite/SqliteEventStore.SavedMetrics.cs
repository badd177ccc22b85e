using System.Text.Json;
using Operational.ServiceDefaults.Storage;
using Operational.Storage.Metrics;

namespace Operational.Storage.Events.Sqlite;

/// <summary>Saved metrics in the events' file, next to the rollups they are folded into.</summary>
public sealed partial class SqliteEventStore
{
    private const string SavedMetricMigration = """
        CREATE TABLE saved_metrics (
            project_id TEXT NOT NULL,
            key TEXT NOT NULL,
            definition TEXT NOT NULL,
            PRIMARY KEY (project_id, key)
        ) WITHOUT ROWID;
        """;

    public async Task<IReadOnlyList<SavedMetric>> ListSavedMetricsAsync(string? projectId, CancellationToken cancellationToken) =>
        projectId is null
            ? await database.QueryAsync("SELECT definition FROM saved_metrics ORDER BY project_id, key", ReadSavedMetric, cancellationToken)
            : await database.QueryAsync("SELECT definition FROM saved_metrics WHERE project_id = $project ORDER BY key", ReadSavedMetric, cancellationToken, ("$project", projectId));

    private static SavedMetric ReadSavedMetric(Microsoft.Data.Sqlite.SqliteDataReader reader) =>
        JsonSerializer.Deserialize<SavedMetric>(reader.GetString(0), JsonSerializerOptions.Web)!;

    public Task<SavedMetricAdded> AddSavedMetricAsync(SavedMetric metric, int maxPerProject, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            await using var count = connection.Command(transaction, "SELECT COUNT(*), SUM(key = $key) FROM saved_metrics WHERE project_id = $project");
            count.Set(("$project", metric.ProjectId), ("$key", metric.Key));
            await using (var reader = await count.ExecuteReaderAsync(cancellationToken))
            {
                await reader.ReadAsync(cancellationToken);
                if (!reader.IsDBNull(1) && reader.GetInt64(1) > 0)
                {
                    return SavedMetricAdded.KeyTaken;
                }

                if (reader.GetInt64(0) >= maxPerProject)
                {
                    return SavedMetricAdded.TooMany;
                }
            }

            await using var insert = connection.Command(transaction, "INSERT INTO saved_metrics (project_id, key, definition) VALUES ($project, $key, $definition)");
            insert.Set(("$project", metric.ProjectId), ("$key", metric.Key), ("$definition", JsonSerializer.Serialize(metric, JsonSerializerOptions.Web)));
            await insert.ExecuteNonQueryAsync(cancellationToken);
            return SavedMetricAdded.Added;
        }, cancellationToken);

    public Task<bool> DeleteSavedMetricAsync(string projectId, string key, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            await using var delete = connection.Command(transaction, "DELETE FROM saved_metrics WHERE project_id = $project AND key = $key RETURNING definition");
            delete.Set(("$project", projectId), ("$key", key));
            if (await delete.ExecuteScalarAsync(cancellationToken) is not string definition)
            {
                return false;
            }

            await using var rollups = connection.Command(transaction, "DELETE FROM metric_rollups WHERE project_id = $project AND name = $name");
            // A fold that began before this delete may still add a bucket under the old series name; the
            // name carries the creation time, so nothing reads it again and pruning removes it with its age.
            rollups.Set(("$project", projectId), ("$name", JsonSerializer.Deserialize<SavedMetric>(definition, JsonSerializerOptions.Web)!.SeriesName));
            await rollups.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }, cancellationToken);
}
