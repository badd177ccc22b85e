using Operational.Rules.Alerts;
using Operational.Rules.Definitions;
using Operational.ServiceDefaults.Storage;

namespace Operational.Rules.Storage.Sqlite;

public sealed partial class SqliteRulesStore
{
    public Task<CheckHistory> RecordCheckAsync(string ruleId, string? group, bool failed, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            using var select = connection.Command(transaction, "SELECT failed, n FROM rule_check_history WHERE rule_id = $rule AND grp = $grp");
            select.Set(("$rule", ruleId), ("$grp", RulesJson.GroupKey(group)));
            var before = await select.FirstOrDefaultAsync(r => new HistoryRow(unchecked((ulong)r.GetInt64(0)), r.GetInt32(1)), cancellationToken);
            var history = new CheckHistory(before?.Failed ?? 0, before?.Count ?? 0).Then(failed, RuleValidator.MaxChecksRemembered);
            await connection.ExecuteAsync(transaction, """
                INSERT INTO rule_check_history (rule_id, grp, failed, n) VALUES ($rule, $grp, $failed, $n)
                ON CONFLICT (rule_id, grp) DO UPDATE SET failed = excluded.failed, n = excluded.n
                """,
                cancellationToken, ("$rule", ruleId), ("$grp", RulesJson.GroupKey(group)), ("$failed", unchecked((long)history.Failed)), ("$n", history.Count));
            return history;
        }, cancellationToken);

    private sealed record HistoryRow(ulong Failed, int Count);
}
