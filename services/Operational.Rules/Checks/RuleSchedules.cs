using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.Options;
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
        if (Expected(rule) is not var (cron, zone))
        {
            Remove(rule.Id);
            return;
        }

        var ruleId = rule.Id;
        jobs.AddOrUpdate<RuleCheckJob>(JobId(ruleId), job => job.RunAsync(ruleId, CancellationToken.None), cron, new RecurringJobOptions { TimeZone = zone });
    }

    /// <summary>The rule checks Hangfire holds now, by rule id.</summary>
    public Dictionary<string, RecurringJobDto> Existing()
    {
        using var connection = storage.GetConnection();
        return connection.GetRecurringJobs()
            .Where(j => j.Id.StartsWith(JobPrefix, StringComparison.Ordinal))
            .ToDictionary(j => j.Id[JobPrefix.Length..], StringComparer.Ordinal);
    }

    /// <summary>
    /// Makes Hangfire's recurring jobs (<paramref name="existing"/>, read before the rules, so a
    /// rule saved since is among the rules) exactly what the rules ask for, touching only those
    /// that differ: a job missing, removed, or changed (by the dashboard or anyone with its
    /// storage) is put back. Returns how many it fixed, and the rule ids of jobs whose rule is not
    /// among the rules: the caller removes those it confirms are gone.
    /// </summary>
    public (int Fixed, IReadOnlyList<string> Orphans) Reconcile(IReadOnlyList<CompiledRule> rules, Dictionary<string, RecurringJobDto> existing)
    {
        var fixedCount = 0;
        foreach (var rule in rules)
        {
            var job = existing.GetValueOrDefault(rule.Id);
            existing.Remove(rule.Id);
            var expected = Expected(rule);
            var right = expected is var (cron, zone)
                ? job is { Removed: false, Job: not null } && job.Cron == cron && job.TimeZoneId == zone.Id && job.Job.Args.FirstOrDefault() as string == rule.Id
                : job is null;
            if (!right)
            {
                Apply(rule);
                fixedCount++;
            }
        }

        return (fixedCount, [.. existing.Keys]);
    }

    /// <summary>The cron and time zone the rule's check runs on, or null when it has none (not scheduled, or disabled).</summary>
    private static (string Cron, TimeZoneInfo Zone)? Expected(CompiledRule rule) =>
        !rule.IsScheduled || !rule.Enabled ? null
        : rule.Kind == RuleKinds.Volume ? (rule.CronText!, rule.TimeZone)
        : (RuleValidator.DefaultCron, TimeZoneInfo.Utc);

    public void Remove(string ruleId) => jobs.RemoveIfExists(JobId(ruleId));

    /// <summary>The hourly clean-up of old counters.</summary>
    public void ApplyMaintenance() =>
        jobs.AddOrUpdate<RulePruneJob>(RulePruneJob.JobId, job => job.RunAsync(CancellationToken.None), Cron.Hourly());

    /// <summary>The recurring job of a rule, if it has one: its cron and time zone as Hangfire stores them.</summary>
    public RecurringJobDto? Job(string ruleId)
    {
        using var connection = storage.GetConnection();
        return connection.GetRecurringJobs([JobId(ruleId)]).FirstOrDefault(j => !j.Removed && j.Cron is not null);
    }
}

/// <summary>
/// Keeps Hangfire's recurring jobs (and the alerts of deleted rules) in line with the stored rules
/// (<see cref="RuleService.SyncAsync"/>): at start, since in-memory job storage starts empty and a
/// rule may have changed while no replica ran, and then every <c>Rules:ScheduleSyncInterval</c>,
/// so a job removed or changed in Hangfire's storage comes back by itself: nobody silences a rule
/// by editing the scheduler.
/// </summary>
internal sealed class RuleScheduleSync(IServiceProvider services, IOptions<RulesOptions> options, TimeProvider clock, ILogger<RuleScheduleSync> logger)
    : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var fixedCount = await SyncAsync(cancellationToken);
        logger.LogInformation("Scheduled the checks of the stored rules ({Fixed} jobs set)", fixedCount);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ScheduleSyncInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (await SyncAsync(stoppingToken) is > 0 and var fixedCount)
                {
                    logger.LogWarning("Put back {Count} rule checks that were missing or changed in Hangfire's storage", fixedCount);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Could not compare the rule checks with the stored rules; trying again in {Interval}", options.Value.ScheduleSyncInterval);
            }
        }
    }

    private async Task<int> SyncAsync(CancellationToken cancellationToken)
    {
        using var scope = services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<RuleService>().SyncAsync(cancellationToken);
    }
}
