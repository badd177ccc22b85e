using Hangfire;
using Hangfire.Storage;
using Operational.Rules.Definitions;

namespace Operational.Rules.Checks;

/// <summary>
/// One Hangfire recurring job per scheduled rule, named <c>rule:{id}</c>: added, changed and removed
/// with the rule. A volume rule runs on its own cron and time zone; threshold and heartbeat rules
/// are checked every minute (a threshold to see its window drain, a heartbeat to see it is late).
/// Hangfire's storage makes each occurrence run once across replicas (MongoDB in distributed
/// mode; in memory, one process, in the standalone host).
/// </summary>
public sealed class RuleSchedules(IRecurringJobManager jobs, JobStorage storage)
{
    public const string JobPrefix = "rule:";

    public static string JobId(string ruleId) => JobPrefix + ruleId;

    public void Apply(CompiledRule rule)
    {
        if (!rule.IsScheduled || !rule.Enabled)
        {
            Remove(rule.Id);
            return;
        }

        var (cron, zone) = rule.Kind == RuleKinds.Volume
            ? (rule.CronText!, rule.TimeZone)
            : (RuleValidator.DefaultCron, TimeZoneInfo.Utc);
        var ruleId = rule.Id;
        jobs.AddOrUpdate<RuleCheckJob>(JobId(ruleId), job => job.RunAsync(ruleId, CancellationToken.None), cron, new RecurringJobOptions { TimeZone = zone });
    }

    public void Remove(string ruleId) => jobs.RemoveIfExists(JobId(ruleId));

    /// <summary>The hourly clean-up of old counters.</summary>
    public void ApplyMaintenance() =>
        jobs.AddOrUpdate<RulePruneJob>(RulePruneJob.JobId, job => job.RunAsync(CancellationToken.None), Cron.Hourly());

    /// <summary>The rule ids that have a recurring job.</summary>
    public IReadOnlyList<string> Scheduled()
    {
        using var connection = storage.GetConnection();
        return connection.GetRecurringJobs()
            .Where(j => j.Id.StartsWith(JobPrefix, StringComparison.Ordinal))
            .Select(j => j.Id[JobPrefix.Length..])
            .ToList();
    }

    /// <summary>The recurring job of a rule, if it has one: its cron and time zone as Hangfire stores them.</summary>
    public RecurringJobDto? Job(string ruleId)
    {
        using var connection = storage.GetConnection();
        return connection.GetRecurringJobs([JobId(ruleId)]).FirstOrDefault(j => !j.Removed && j.Cron is not null);
    }
}

/// <summary>
/// At start, makes Hangfire's recurring jobs (and the alerts of deleted rules) match the stored
/// rules: in-memory job storage starts empty, and a rule changed while no replica ran must still
/// get its schedule (<see cref="RuleService.SyncAsync"/>).
/// </summary>
internal sealed class RuleScheduleSync(RuleService rules, Matching.RuleBook book, ILogger<RuleScheduleSync> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await rules.SyncAsync(cancellationToken);
        var current = await book.CurrentAsync(cancellationToken);
        logger.LogInformation("Scheduled checks of {Count} rules", current.All.Count(r => r.IsScheduled && r.Enabled));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
