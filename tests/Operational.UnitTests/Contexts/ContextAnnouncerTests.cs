using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Operational.Contexts;
using Operational.Contexts.Announcements;
using Operational.Contexts.Tracking;
using Operational.Contexts.Tracking.Sqlite;
using Operational.Contracts.Contexts;
using Operational.Contracts.Events;
using Operational.ServiceDefaults.Storage;
using Operational.TestSupport;

namespace Operational.UnitTests.Contexts;

/// <summary>The announcer against a real SQLite store and MassTransit's in-memory test harness, on a fake clock.</summary>
public sealed class ContextAnnouncerTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 3, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _data = new("operational-announcer");
    private readonly FakeTimeProvider _clock = new(T0);
    private ServiceProvider _services = null!;
    private ITestHarness _harness = null!;
    private SqliteContextStore _store = null!;
    private ContextAnnouncer _announcer = null!;

    public async ValueTask InitializeAsync()
    {
        _services = new ServiceCollection().AddMassTransitTestHarness().BuildServiceProvider(true);
        _harness = _services.GetRequiredService<ITestHarness>();
        await _harness.Start();
        _store = new SqliteContextStore(new SqliteDatabase(Path.Combine(_data.Path, "contexts.db")), defaultTimeoutSeconds: 3600);
        await _store.InitializeAsync(CancellationToken.None);
        _announcer = new ContextAnnouncer(_store, _harness.Bus, new ContextsChanged(), Options.Create(new ContextsOptions()), _clock, NullLogger<ContextAnnouncer>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.Stop();
        await _services.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task Each_status_change_is_announced_once()
    {
        await _store.ApplyAsync(
            [
                Entry("completed", "a1", T0, start: true), Entry("completed", "a2", T0.AddSeconds(5), end: true),
                Entry("failed", "c1", T0, start: true), Entry("failed", "c2", T0.AddSeconds(1), level: EventLevels.Error),
                Entry("slow", "b1", T0, start: true, timeout: 60),
                Entry("history", "d1", T0.AddDays(-3), start: true, backfilled: true),
            ],
            CancellationToken.None);

        Assert.Equal(2, await _announcer.AnnounceDueAsync(CancellationToken.None));
        Assert.Equal(0, await _announcer.AnnounceDueAsync(CancellationToken.None));
        var completed = Assert.Single(Published<ContextCompleted>());
        Assert.Equal(("completed", 2L, TimeSpan.FromSeconds(5)), (completed.Context.ContextId, completed.Context.EventCount, completed.Context.Duration));
        Assert.Equal("failed", Assert.Single(Published<ContextFailed>()).Context.ContextId);

        _clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(0, await _announcer.AnnounceDueAsync(CancellationToken.None));

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await _announcer.AnnounceDueAsync(CancellationToken.None));
        var stalled = Assert.Single(Published<ContextStalled>());
        Assert.Equal(("slow", T0.AddSeconds(60), 60), (stalled.Context.ContextId, stalled.StalledAt, stalled.TimeoutSeconds));
        Assert.Equal(0, await _announcer.AnnounceDueAsync(CancellationToken.None));

        // It wakes up, then goes silent again: a second stall, announced again.
        await _store.ApplyAsync([Entry("slow", "b2", T0.AddSeconds(90))], CancellationToken.None);
        Assert.Equal(0, await _announcer.AnnounceDueAsync(CancellationToken.None));
        _clock.Advance(TimeSpan.FromSeconds(90));
        Assert.Equal(1, await _announcer.AnnounceDueAsync(CancellationToken.None));
        Assert.Equal(2, Published<ContextStalled>().Count);

        // A failure found after the completion is a change too.
        await _store.ApplyAsync([Entry("completed", "a3", T0.AddSeconds(3), level: EventLevels.Error)], CancellationToken.None);
        Assert.Equal(1, await _announcer.AnnounceDueAsync(CancellationToken.None));
        Assert.Equal(2, Published<ContextFailed>().Count);
        Assert.DoesNotContain(_harness.Published.Select<object>().Select(p => p.MessageObject), m => m.ToString()!.Contains("history", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Claimed_announcement_is_not_taken_by_another_replica_until_the_claim_expires()
    {
        await _store.ApplyAsync([Entry("done", "a1", T0, end: true)], CancellationToken.None);

        var first = await _store.ClaimDueAsync(T0, TimeSpan.FromSeconds(30), 10, CancellationToken.None);
        Assert.Single(first);
        Assert.Empty(await _store.ClaimDueAsync(T0.AddSeconds(29), TimeSpan.FromSeconds(30), 10, CancellationToken.None));

        // The first replica died without recording the announcement: another takes over.
        Assert.Single(await _store.ClaimDueAsync(T0.AddSeconds(30), TimeSpan.FromSeconds(30), 10, CancellationToken.None));
    }

    private List<T> Published<T>()
        where T : class =>
        _harness.Published.Select<T>().Select(p => p.Context.Message).ToList();

    private static ContextEntryFor Entry(
        string context, string id, DateTimeOffset at, bool start = false, bool end = false, string level = EventLevels.Info, int? timeout = null, bool backfilled = false) =>
        new("p1", context, new ContextEntry(id, id, null, null, level, at, start, end, timeout, Test: false, Backfilled: backfilled));
}
