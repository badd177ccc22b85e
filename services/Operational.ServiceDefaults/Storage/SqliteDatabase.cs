using System.Diagnostics.Metrics;
using Microsoft.Data.Sqlite;
using Operational.ServiceDefaults.Telemetry;

namespace Operational.ServiceDefaults.Storage;

/// <summary>
/// One SQLite file owned by one service. Connections are pooled by Microsoft.Data.Sqlite;
/// the file runs in WAL mode so readers never wait for the writer, and with full sync so a
/// message is acknowledged only after its rows reached the disk.
/// </summary>
public sealed class SqliteDatabase
{
    private static readonly Meter Meter = new(TelemetryExtensions.SourceName);

    /// <summary>Every commit is a disk sync (WAL, synchronous = FULL): what batching saves is counted here.</summary>
    private static readonly Counter<long> Commits = Meter.CreateCounter<long>("operational.sqlite.commits", "{commit}", "Write transactions committed, by database file.");

    private readonly string _connectionString;
    private readonly string _name;
    private readonly SemaphoreSlim _writer = new(1, 1);

    public SqliteDatabase(string path)
    {
        FilePath = Path.GetFullPath(path);
        _name = Path.GetFileNameWithoutExtension(FilePath);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            // Also the busy timeout: a writer waits this long for another writer's lock.
            DefaultTimeout = 30,
        }.ToString();
    }

    public string FilePath { get; }

    /// <summary>The file of <paramref name="name"/> (e.g. "events") under the configured data folder.</summary>
    public static SqliteDatabase InDataDirectory(StorageOptions options, string name) =>
        new(Path.Combine(options.Sqlite.DataDirectory, name + ".db"));

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Creates the folder and file if needed, switches to WAL and applies the migrations the
    /// file has not seen yet (tracked in <c>PRAGMA user_version</c>), each in its own
    /// transaction. Migrations are append-only: never edit one that has shipped.
    /// </summary>
    public async Task MigrateAsync(IReadOnlyList<string> migrations, CancellationToken cancellationToken = default)
    {
        var folder = Path.GetDirectoryName(FilePath)!;
        try
        {
            DataFiles.EnsureFolder(folder);
            if (!File.Exists(FilePath))
            {
                // Made here rather than by SQLite, which would make it readable by every account (0644);
                // SQLite gives its WAL and shared-memory files the database file's mode.
                try
                {
                    DataFiles.CreateOwnerOnly(FilePath).Dispose();
                }
                catch (IOException) when (File.Exists(FilePath))
                {
                    // Another process sharing the folder (a replica starting at the same moment) made it first.
                }
            }

            DataFiles.RestrictToOwner(FilePath);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new InvalidOperationException($"Cannot create the data folder '{folder}' or its file: {e.Message}", e);
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            await wal.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var version = connection.CreateCommand();
        version.Transaction = transaction;
        version.CommandText = "PRAGMA user_version;";
        var applied = Convert.ToInt32(await version.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        if (applied > migrations.Count)
        {
            throw new InvalidOperationException($"'{FilePath}' has schema version {applied}, newer than this build knows ({migrations.Count}). Run a newer Operational or restore a matching backup.");
        }

        for (var i = applied; i < migrations.Count; i++)
        {
            await using var migrate = connection.CreateCommand();
            migrate.Transaction = transaction;
            migrate.CommandText = migrations[i] + $"; PRAGMA user_version = {i + 1};";
            await migrate.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="write"/> in an immediate transaction and commits it. Writers of this
    /// process queue here (cheaper than spinning on the file lock); an immediate transaction takes
    /// the write lock before reading, so writers in other processes sharing the file never both
    /// read a row and then both write it.
    /// </summary>
    public Task WriteAsync(Func<SqliteConnection, SqliteTransaction, Task> write, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await write(connection, transaction);
            return true;
        }, cancellationToken);

    /// <summary>Like <see cref="WriteAsync(Func{SqliteConnection, SqliteTransaction, Task}, CancellationToken)"/>, returning what the write found.</summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> write, CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var transaction = connection.BeginTransaction(deferred: false);
            var result = await write(connection, transaction);
            await transaction.CommitAsync(cancellationToken);
            Commits.Add(1, new KeyValuePair<string, object?>("database", _name));
            return result;
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>One statement as a write of its own; returns the rows it changed.</summary>
    public Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        WriteAsync((connection, transaction) => connection.ExecuteAsync(transaction, sql, cancellationToken, parameters), cancellationToken);

    /// <summary>Runs a query on a connection of its own and maps every row.</summary>
    public async Task<List<T>> QueryAsync<T>(string sql, Func<SqliteDataReader, T> map, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.Command(null, sql);
        command.Set(parameters);
        return await command.ListAsync(map, cancellationToken);
    }

    /// <summary>The first row of a query, or null.</summary>
    public async Task<T?> QueryFirstOrDefaultAsync<T>(string sql, Func<SqliteDataReader, T> map, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
        where T : class
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.Command(null, sql);
        command.Set(parameters);
        return await command.FirstOrDefaultAsync(map, cancellationToken);
    }

    /// <summary>The single value a query returns (e.g. a count).</summary>
    public async Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.Command(null, sql);
        command.Set(parameters);
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1";
        await command.ExecuteScalarAsync(cancellationToken);
    }
}
