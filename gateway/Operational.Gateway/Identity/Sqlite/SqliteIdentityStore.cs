using Microsoft.Data.Sqlite;
using Operational.ServiceDefaults.Storage;

namespace Operational.Gateway.Identity.Sqlite;

public sealed class SqliteIdentityStore(SqliteDatabase database) : IIdentityStore
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE projects (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE TABLE api_keys (
            id TEXT PRIMARY KEY,
            project_id TEXT NOT NULL REFERENCES projects (id),
            name TEXT NOT NULL,
            prefix TEXT NOT NULL,
            hash TEXT NOT NULL UNIQUE,
            scopes TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            revoked_at INTEGER
        );
        CREATE INDEX ix_api_keys_project ON api_keys (project_id);
        """,
        """
        ALTER TABLE projects ADD COLUMN revoked_at INTEGER;
        """,
    ];

    private const string KeyColumns = "id, project_id, name, prefix, hash, scopes, created_at, revoked_at";

    public Task InitializeAsync(CancellationToken cancellationToken) => database.MigrateAsync(Migrations, cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) => database.PingAsync(cancellationToken);

    public async Task<bool> AnyKeyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM api_keys)";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 1;
    }

    public async Task<bool> TryCreateProjectAsync(Project project, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO projects (id, name, created_at) VALUES ($id, $name, $created) ON CONFLICT (id) DO NOTHING";
        command.Parameters.AddWithValue("$id", project.Id);
        command.Parameters.AddWithValue("$name", project.Name);
        command.Parameters.AddWithValue("$created", project.CreatedAt.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> TryAddKeyAsync(ApiKey key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO api_keys (id, project_id, name, prefix, hash, scopes, created_at, revoked_at)
            VALUES ($id, $project, $name, $prefix, $hash, $scopes, $created, $revoked)
            ON CONFLICT (hash) DO NOTHING
            """;
        command.Parameters.AddWithValue("$id", key.Id);
        command.Parameters.AddWithValue("$project", key.ProjectId);
        command.Parameters.AddWithValue("$name", key.Name);
        command.Parameters.AddWithValue("$prefix", key.Prefix);
        command.Parameters.AddWithValue("$hash", key.Hash);
        command.Parameters.AddWithValue("$scopes", string.Join(' ', key.Scopes));
        command.Parameters.AddWithValue("$created", key.CreatedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$revoked", (object?)key.RevokedAt?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<ApiKey?> FindKeyByHashAsync(string hash, CancellationToken cancellationToken)
    {
        var keys = await QueryAsync($"SELECT {KeyColumns} FROM api_keys WHERE hash = $hash", ReadKey, cancellationToken, ("$hash", hash));
        return keys.SingleOrDefault();
    }

    public Task<IReadOnlyList<Project>> ListProjectsAsync(CancellationToken cancellationToken) =>
        QueryAsync("SELECT id, name, created_at, revoked_at FROM projects ORDER BY created_at, id", ReadProject, cancellationToken);

    public async Task<Project?> GetProjectAsync(string projectId, CancellationToken cancellationToken) =>
        (await QueryAsync("SELECT id, name, created_at, revoked_at FROM projects WHERE id = $id", ReadProject, cancellationToken, ("$id", projectId))).SingleOrDefault();

    public async Task<bool> RevokeProjectAsync(string projectId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction();
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            UPDATE projects SET revoked_at = $at WHERE id = $id AND revoked_at IS NULL;
            UPDATE api_keys SET revoked_at = $at WHERE project_id = $id AND revoked_at IS NULL;
            """;
        command.Parameters.AddWithValue("$id", projectId);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken);
        var revoked = (await GetProjectAsync(projectId, connection, transaction, cancellationToken))?.RevokedAt == at;
        await transaction.CommitAsync(cancellationToken);
        return revoked;
    }

    public Task<IReadOnlyList<ApiKey>> ListKeysAsync(string projectId, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {KeyColumns} FROM api_keys WHERE project_id = $project ORDER BY created_at DESC, id DESC", ReadKey, cancellationToken, ("$project", projectId));

    public async Task<bool> RevokeKeyAsync(string projectId, string keyId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE api_keys SET revoked_at = $at WHERE id = $id AND project_id = $project AND revoked_at IS NULL";
        command.Parameters.AddWithValue("$id", keyId);
        command.Parameters.AddWithValue("$project", projectId);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private static async Task<Project?> GetProjectAsync(string projectId, SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT id, name, created_at, revoked_at FROM projects WHERE id = $id";
        command.Parameters.AddWithValue("$id", projectId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadProject(reader) : null;
    }

    private async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, Func<SqliteDataReader, T> read, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        await database.QueryAsync(sql, read, cancellationToken, parameters);

    private static Project ReadProject(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetTime(2),
        reader.GetTimeOrNull(3));

    private static ApiKey ReadKey(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetString(4),
        reader.GetString(5).Split(' ', StringSplitOptions.RemoveEmptyEntries),
        reader.GetTime(6),
        reader.GetTimeOrNull(7));
}
