using Microsoft.Data.Sqlite;
using Operational.ServiceDefaults.Storage;

namespace Operational.Gateway.Operators.Sqlite;

public sealed class SqliteOperatorStore(SqliteDatabase database) : IOperatorStore
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE operators (
            id TEXT PRIMARY KEY,
            username TEXT NOT NULL UNIQUE,
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE TABLE sessions (
            hash TEXT PRIMARY KEY,
            operator_id TEXT NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL
        );
        CREATE INDEX ix_sessions_operator ON sessions (operator_id);
        CREATE INDEX ix_sessions_expiry ON sessions (expires_at);
        """,
    ];

    private const string OperatorColumns = "o.id, o.username, o.password_hash, o.role, o.created_at";

    public Task InitializeAsync(CancellationToken cancellationToken) => database.MigrateAsync(Migrations, cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) => database.PingAsync(cancellationToken);

    public async Task<bool> AnyOperatorAsync(CancellationToken cancellationToken) =>
        (await QueryAsync("SELECT 1 FROM operators LIMIT 1", _ => true, cancellationToken)).Count > 0;

    public Task<bool> TryAddOperatorAsync(Operator account, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "INSERT INTO operators (id, username, password_hash, role, created_at) VALUES ($id, $username, $hash, $role, $created) ON CONFLICT DO NOTHING",
            cancellationToken,
            ("$id", account.Id), ("$username", account.Username), ("$hash", account.PasswordHash), ("$role", account.Role),
            ("$created", account.CreatedAt.ToUnixTimeMilliseconds()));

    public async Task<Operator?> FindByUsernameAsync(string normalizedUsername, CancellationToken cancellationToken) =>
        (await QueryAsync($"SELECT {OperatorColumns} FROM operators o WHERE o.username = $username", ReadOperator, cancellationToken, ("$username", normalizedUsername))).SingleOrDefault();

    public Task<IReadOnlyList<Operator>> ListOperatorsAsync(CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {OperatorColumns} FROM operators o ORDER BY o.created_at, o.id", ReadOperator, cancellationToken);

    public Task<bool> DeleteOperatorAsync(string operatorId, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                await connection.ExecuteAsync(transaction, "DELETE FROM sessions WHERE operator_id = $id", cancellationToken, ("$id", operatorId));
                return await connection.ExecuteAsync(transaction, "DELETE FROM operators WHERE id = $id", cancellationToken, ("$id", operatorId)) == 1;
            },
            cancellationToken);

    public Task SetPasswordHashAsync(string operatorId, string passwordHash, string? keepSessionHash, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                await connection.ExecuteAsync(transaction, "UPDATE operators SET password_hash = $hash WHERE id = $id", cancellationToken,
                    ("$id", operatorId), ("$hash", passwordHash));
                await connection.ExecuteAsync(transaction, "DELETE FROM sessions WHERE operator_id = $id AND hash IS NOT $keep", cancellationToken,
                    ("$id", operatorId), ("$keep", keepSessionHash));
            },
            cancellationToken);

    public Task AddSessionAsync(OperatorSession session, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "INSERT INTO sessions (hash, operator_id, created_at, expires_at) VALUES ($hash, $operator, $created, $expires)",
            cancellationToken,
            ("$hash", session.Hash), ("$operator", session.OperatorId),
            ("$created", session.CreatedAt.ToUnixTimeMilliseconds()), ("$expires", session.ExpiresAt.ToUnixTimeMilliseconds()));

    public async Task<(OperatorSession Session, Operator Operator)?> FindSessionAsync(string hash, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(
            $"SELECT {OperatorColumns}, s.hash, s.created_at, s.expires_at FROM sessions s JOIN operators o ON o.id = s.operator_id WHERE s.hash = $hash",
            reader =>
            {
                var account = ReadOperator(reader);
                var session = new OperatorSession(reader.GetString(5), account.Id, reader.GetTime(6), reader.GetTime(7));
                return (session, account);
            },
            cancellationToken,
            ("$hash", hash));
        return rows.Count == 0 ? null : rows[0];
    }

    public Task DeleteSessionAsync(string hash, CancellationToken cancellationToken) =>
        ExecuteAsync("DELETE FROM sessions WHERE hash = $hash", cancellationToken, ("$hash", hash));

    public Task<int> DeleteExpiredSessionsAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        database.ExecuteAsync("DELETE FROM sessions WHERE expires_at < $now", cancellationToken, ("$now", now.ToUnixTimeMilliseconds()));

    private async Task<bool> ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        await database.ExecuteAsync(sql, cancellationToken, parameters) > 0;

    private async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, Func<SqliteDataReader, T> read, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        await database.QueryAsync(sql, read, cancellationToken, parameters);

    private static Operator ReadOperator(SqliteDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetTime(4));
}
