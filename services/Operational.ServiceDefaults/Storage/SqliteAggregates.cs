using Microsoft.Data.Sqlite;
using Operational.ServiceDefaults.Statistics;

namespace Operational.ServiceDefaults.Storage;

/// <summary>
/// Rows holding a <see cref="MetricAggregate"/> in the columns <see cref="Columns"/> after their key
/// (metric rollups in storage, statistic rules' buckets in rules): read and merged one way.
/// </summary>
public static class SqliteAggregates
{
    public const string Columns = "count, sum, min, max, sketch";

    /// <summary>The aggregate in the five columns starting at <paramref name="first"/>.</summary>
    public static MetricAggregate Read(SqliteDataReader reader, int first = 0) =>
        MetricAggregate.From(reader.GetInt64(first), reader.GetDouble(first + 1), reader.GetDouble(first + 2), reader.GetDouble(first + 3), (byte[])reader[first + 4]);

    /// <summary>
    /// Adds each aggregate to the row of its key (<paramref name="keyColumns"/>, in order), creating
    /// it when missing: read, merge, write, inside the caller's write transaction.
    /// </summary>
    public static async Task MergeAsync(SqliteConnection connection, SqliteTransaction transaction, string table, string[] keyColumns,
        IEnumerable<(object?[] Key, MetricAggregate Added)> values, CancellationToken cancellationToken)
    {
        var keys = keyColumns.Select((column, i) => (column, Parameter: $"$k{i}")).ToArray();
        await using var select = connection.Command(transaction,
            $"SELECT {Columns} FROM {table} WHERE {string.Join(" AND ", keys.Select(k => $"{k.column} = {k.Parameter}"))}");
        await using var write = connection.Command(transaction,
            $"INSERT OR REPLACE INTO {table} ({string.Join(", ", keyColumns)}, {Columns}) VALUES ({string.Join(", ", keys.Select(k => k.Parameter))}, $count, $sum, $min, $max, $sketch)");
        foreach (var (key, added) in values)
        {
            var where = keys.Select((k, i) => (k.Parameter, key[i])).ToArray();
            select.Set(where);
            var merged = added;
            await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
            {
                if (await reader.ReadAsync(cancellationToken))
                {
                    merged = Read(reader);
                    merged.Merge(added);
                }
            }

            write.Set([.. where, ("$count", merged.Count), ("$sum", merged.Sum), ("$min", merged.Min), ("$max", merged.Max), ("$sketch", merged.Sketch.ToBytes())]);
            await write.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
