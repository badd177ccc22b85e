using Microsoft.Data.Sqlite;
using Operational.Contracts.Checks;
using Operational.Rules.JobChecks;
using Operational.ServiceDefaults.Storage;

namespace Operational.Rules.Storage.Sqlite;

public sealed partial class SqliteRulesStore
{
    private const string CheckRunColumns = "check_id, run_id, project_id, keyed, started_at, ended_at, outcome, exit_status, duration_ms, output";

    public Task<RunStep> RecordPingAsync(string projectId, string checkId, CheckPing ping, Func<string> newRunId, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            // Immediate transaction: the run read here is the one paired, whatever other pings do meanwhile.
            var current = ping.RunId is { } runId
                ? await ReadCheckRunAsync(connection, transaction, "WHERE check_id = $check AND run_id = $run", cancellationToken, ("$check", checkId), ("$run", runId))
                : await ReadCheckRunAsync(connection, transaction, "WHERE check_id = $check AND keyed = 0 AND ended_at IS NULL ORDER BY at DESC LIMIT 1", cancellationToken, ("$check", checkId));
            var step = RunPairing.Decide(projectId, checkId, ping, current, newRunId);
            if (step.Save is { } run)
            {
                await connection.ExecuteAsync(transaction, $"""
                    INSERT INTO check_runs ({CheckRunColumns}, at) VALUES ($check, $run, $project, $keyed, $started, $ended, $outcome, $exit, $duration, $output, $at)
                    ON CONFLICT (check_id, run_id) DO UPDATE SET started_at = excluded.started_at, ended_at = excluded.ended_at, outcome = excluded.outcome,
                        exit_status = excluded.exit_status, duration_ms = excluded.duration_ms, output = excluded.output, at = excluded.at;
                    DELETE FROM check_runs WHERE check_id = $check AND run_id NOT IN
                        (SELECT run_id FROM check_runs WHERE check_id = $check ORDER BY at DESC LIMIT {ICheckRunStore.KeptRuns});
                    """,
                    cancellationToken,
                    ("$check", checkId), ("$run", run.RunId), ("$project", projectId), ("$keyed", run.Keyed ? 1 : 0),
                    ("$started", run.StartedAt?.ToUnixTimeMilliseconds()), ("$ended", run.EndedAt?.ToUnixTimeMilliseconds()), ("$outcome", run.Outcome),
                    ("$exit", run.ExitStatus), ("$duration", run.DurationMs), ("$output", run.Output), ("$at", run.At.ToUnixTimeMilliseconds()));
            }

            await connection.ExecuteAsync(transaction, """
                INSERT INTO check_pings (check_id, last_ping_at, last_signal, pings) VALUES ($check, $at, $signal, 1)
                ON CONFLICT (check_id) DO UPDATE SET last_ping_at = excluded.last_ping_at, last_signal = excluded.last_signal, pings = pings + 1;
                """,
                cancellationToken, ("$check", checkId), ("$at", ping.At.ToUnixTimeMilliseconds()), ("$signal", ping.Signal));
            return step;
        }, cancellationToken);

    public async Task<IReadOnlyList<CheckRun>> RunsAsync(string checkId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(null, $"SELECT {CheckRunColumns} FROM check_runs WHERE check_id = $check ORDER BY at DESC LIMIT $limit");
        command.Set(("$check", checkId), ("$limit", limit));
        return await command.ListAsync(ReadCheckRun, cancellationToken);
    }

    public async Task<IReadOnlyDictionary<string, CheckPingState>> PingStatesAsync(IReadOnlyCollection<string> checkIds, CancellationToken cancellationToken)
    {
        var states = new Dictionary<string, CheckPingState>(StringComparer.Ordinal);
        await using var connection = await database.OpenAsync(cancellationToken);
        foreach (var checkId in checkIds)
        {
            await using var command = connection.Command(null, "SELECT last_ping_at, last_signal, pings FROM check_pings WHERE check_id = $check");
            command.Set(("$check", checkId));
            if (await command.FirstOrDefaultAsync(r => new CheckPingState(checkId, r.GetTime(0), r.GetString(1), r.GetInt64(2), null), cancellationToken) is not { } state)
            {
                continue;
            }

            var open = await ReadCheckRunAsync(connection, null, "WHERE check_id = $check AND ended_at IS NULL ORDER BY at DESC LIMIT 1", cancellationToken, ("$check", checkId));
            states[checkId] = state with { OpenRun = open };
        }

        return states;
    }

    private static async Task<CheckRun?> ReadCheckRunAsync(SqliteConnection connection, SqliteTransaction? transaction, string where, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var command = connection.Command(transaction, $"SELECT {CheckRunColumns} FROM check_runs {where}");
        command.Set(parameters);
        return await command.FirstOrDefaultAsync(ReadCheckRun, cancellationToken);
    }

    private static CheckRun ReadCheckRun(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3) == 1, r.GetTimeOrNull(4), r.GetTimeOrNull(5), r.GetStringOrNull(6),
        r.IsDBNull(7) ? null : r.GetInt32(7), r.IsDBNull(8) ? null : r.GetInt64(8), r.GetStringOrNull(9));
}
