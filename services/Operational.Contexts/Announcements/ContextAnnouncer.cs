using MassTransit;
using Microsoft.Extensions.Options;
using Operational.Contexts.Tracking;
using Operational.ServiceDefaults.Hosting;

namespace Operational.Contexts.Announcements;

/// <summary>Set by the consumer after it stored events, so completions and failures are announced without waiting for the next check.</summary>
public sealed class ContextsChanged : Signal;

/// <summary>
/// Publishes <c>ContextCompleted</c>, <c>ContextFailed</c> and <c>ContextStalled</c>. The store
/// says which contexts have an announcement due; a replica claims them (so replicas do not
/// announce the same change twice), publishes, then records what it announced. A replica that
/// dies between publishing and recording leaves a claim that expires, and another replica
/// announces again: delivery is at least once, duplicates are rare.
/// </summary>
public sealed class ContextAnnouncer(
    IContextStore store,
    IBus bus,
    ContextsChanged changed,
    IOptions<ContextsOptions> options,
    TimeProvider clock,
    ILogger<ContextAnnouncer> logger) : BackgroundService
{
    private const int ClaimBatch = 100;

    /// <summary>Announces everything due now; returns how many announcements were published.</summary>
    public async Task<int> AnnounceDueAsync(CancellationToken cancellationToken)
    {
        var published = 0;
        while (true)
        {
            var claimed = await store.ClaimDueAsync(clock.GetUtcNow(), options.Value.AnnounceLease, ClaimBatch, cancellationToken);
            foreach (var record in claimed)
            {
                await bus.Publish(record.AnnouncementMessage(), cancellationToken);
                await store.MarkAnnouncedAsync(record.ProjectId, record.ContextId, record.Announcement, cancellationToken);
                published++;
                logger.LogDebug("Announced {Announcement} of context {ContextId} in project {ProjectId}", record.Announcement, record.ContextId, record.ProjectId);
            }

            if (claimed.Count < ClaimBatch)
            {
                return published;
            }
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        changed.LoopAsync(
            AnnounceDueAsync,
            options.Value.StallCheckInterval,
            clock,
            // The bus or the store is down: claims expire, so nothing is lost by trying later.
            e => logger.LogWarning(e, "Could not announce context changes; trying again in {Interval}", options.Value.StallCheckInterval),
            stoppingToken);
}
