using Operational.Contexts.Tracking;
using Operational.Contracts.Events;

namespace Operational.IntegrationTests.Contexts;

/// <summary>
/// What every context store must do, whatever its database. SQLite and MongoDB run the same
/// tests. <see cref="StoreContract{TStore}.CreateStore"/> may be called twice: both stores then share one
/// database, as two replicas of the contexts service do.
/// </summary>
public abstract class ContextStoreContract : StoreContract<IContextStore>
{
    protected const int DefaultTimeout = 3600;

    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 4, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Applied_entries_read_back_as_their_fold()
    {
        var run = CronRun("p1", "run-1");
        await Store.ApplyAsync(run, CancellationToken.None);

        var stored = await Store.GetAsync("p1", "run-1", CancellationToken.None);

        Assert.NotNull(stored);
        Assert.Equal(ContextState.Fold(run.Select(e => e.Entry)), stored.State);
        Assert.Equal(300, stored.TimeoutSeconds); // declared by one of its events
        Assert.Null(await Store.GetAsync("p2", "run-1", CancellationToken.None));
    }

    [Fact]
    public async Task Redelivered_entries_count_once()
    {
        var run = CronRun("p1", "run-1");
        await Store.ApplyAsync(run, CancellationToken.None);
        await Store.ApplyAsync(run, CancellationToken.None);
        await Store.ApplyAsync([run[0], run[^1]], CancellationToken.None);

        var stored = await Store.GetAsync("p1", "run-1", CancellationToken.None);

        Assert.Equal(run.Count, stored!.State.EventCount);
    }

    /// <summary>
    /// The property the contexts service rests on: two replicas applying shuffled, duplicated
    /// batches concurrently end with exactly the context of in-order delivery.
    /// </summary>
    [Fact]
    public async Task Two_replicas_applying_any_order_agree_with_in_order_delivery()
    {
        var replica = CreateStore();
        var seed = Environment.TickCount;
        var random = new Random(seed);
        const int Contexts = 40;
        await Store.ApplyAsync(CronRun("p1", "in-order"), CancellationToken.None);
        var expected = (await Store.GetAsync("p1", "in-order", CancellationToken.None))!.State;

        var deliveries = Enumerable.Range(0, Contexts)
            .SelectMany(c => CronRun("p1", $"shuffled-{c}").SelectMany(e => Enumerable.Repeat(e, random.Next(1, 3))))
            .ToArray();
        random.Shuffle(deliveries);
        var batches = deliveries.Chunk(7).ToArray();
        await Task.WhenAll(
            Task.Run(async () =>
            {
                foreach (var batch in batches.Where((_, i) => i % 2 == 0))
                {
                    await Store.ApplyAsync(batch, CancellationToken.None);
                }
            }),
            Task.Run(async () =>
            {
                foreach (var batch in batches.Where((_, i) => i % 2 == 1))
                {
                    await replica.ApplyAsync(batch, CancellationToken.None);
                }
            }));

        for (var c = 0; c < Contexts; c++)
        {
            var stored = await replica.GetAsync("p1", $"shuffled-{c}", CancellationToken.None);
            Assert.True(expected == stored?.State, $"context {c} (seed {seed}) differs:\n{expected}\n{stored?.State}");
        }
    }

    [Fact]
    public async Task List_filters_by_status_category_time_and_title_newest_first()
    {
        await Store.ApplyAsync(
            [
                E("p1", "done", "nightly backup", T0, start: true, category: "backup"),
                E("p1", "done", "backup finished", T0.AddMinutes(5), end: true, category: "backup"),
                E("p1", "broken", "report 50% done", T0.AddMinutes(10), start: true, category: "reports"),
                E("p1", "broken", "report crashed", T0.AddMinutes(11), level: EventLevels.Error, category: "reports"),
                E("p1", "running", "import started", T0.AddMinutes(20), start: true, timeout: 1200),
                E("p1", "quiet", "sync started", T0.AddMinutes(30), start: true, timeout: 60),
                E("p1", "tested", "test run", T0.AddMinutes(40), start: true, test: true),
                E("p2", "other", "import started", T0.AddMinutes(50), start: true),
            ],
            CancellationToken.None);
        var now = T0.AddMinutes(31);

        async Task<string[]> List(ContextQuery query) =>
            (await Store.ListAsync("p1", query, now, CancellationToken.None)).Contexts.Select(c => c.ContextId).ToArray();

        Assert.Equal(["quiet", "running", "broken", "done"], await List(new ContextQuery(10)));
        Assert.Equal(["tested"], await List(new ContextQuery(10) { Test = true }));
        Assert.Equal(["done"], await List(new ContextQuery(10) { Status = "completed" }));
        Assert.Equal(["broken"], await List(new ContextQuery(10) { Status = "failed" }));
        Assert.Equal(["running"], await List(new ContextQuery(10) { Status = "open" }));
        Assert.Equal(["quiet"], await List(new ContextQuery(10) { Status = "stalled" }));
        Assert.Equal(["done"], await List(new ContextQuery(10) { Category = "backup" }));
        Assert.Equal(["broken"], await List(new ContextQuery(10) { TitleContains = "50%" }));
        Assert.Equal(["running"], await List(new ContextQuery(10) { TitleContains = "IMPORT" }));
        // Active within the window: any event in [from, to).
        Assert.Equal(["running", "broken"], await List(new ContextQuery(10) { From = T0.AddMinutes(11), To = T0.AddMinutes(25) }));
    }

    [Fact]
    public async Task Cursor_pages_through_contexts_with_equal_times_without_repeats()
    {
        await Store.ApplyAsync(Enumerable.Range(0, 7).Select(i => E("p1", $"c{i}", "same time", T0, start: true)).ToList(), CancellationToken.None);

        var seen = new List<string>();
        ContextCursor? cursor = null;
        do
        {
            var page = await Store.ListAsync("p1", new ContextQuery(3, cursor), T0, CancellationToken.None);
            seen.AddRange(page.Contexts.Select(c => c.ContextId));
            cursor = page.Next;
        }
        while (cursor is not null);

        Assert.Equal(["c6", "c5", "c4", "c3", "c2", "c1", "c0"], seen);
    }

    [Fact]
    public async Task Announcements_are_claimed_once_and_recorded()
    {
        Assert.False(await Store.ApplyAsync([E("p1", "done", "started", T0, start: true)], CancellationToken.None)); // open: nothing due yet
        Assert.True(await Store.ApplyAsync([E("p1", "done", "finished", T0.AddSeconds(1), end: true)], CancellationToken.None)); // its completion is
        var replica = CreateStore();

        var claimed = Assert.Single(await Store.ClaimDueAsync(T0, TimeSpan.FromSeconds(30), 10, CancellationToken.None));
        Assert.Empty(await replica.ClaimDueAsync(T0, TimeSpan.FromSeconds(30), 10, CancellationToken.None));
        await Store.MarkAnnouncedAsync("p1", "done", claimed.Announcement, CancellationToken.None);

        Assert.Empty(await replica.ClaimDueAsync(T0.AddHours(1), TimeSpan.FromSeconds(30), 10, CancellationToken.None));
        var stored = await Store.GetAsync("p1", "done", CancellationToken.None);
        Assert.Equal("completed", stored!.Announced);
        Assert.Null(stored.PendingAt);
    }

    [Fact]
    public async Task Stall_is_due_when_it_happens()
    {
        await Store.ApplyAsync([E("p1", "slow", "started", T0, start: true, timeout: 60)], CancellationToken.None);

        Assert.Empty(await Store.ClaimDueAsync(T0.AddSeconds(59), TimeSpan.FromSeconds(30), 10, CancellationToken.None));
        var due = Assert.Single(await Store.ClaimDueAsync(T0.AddSeconds(60), TimeSpan.FromSeconds(30), 10, CancellationToken.None));
        Assert.Equal("stalled", due.StatusAt(T0.AddSeconds(60)));
    }

    [Fact]
    public async Task Project_default_timeout_moves_the_stall_of_contexts_without_their_own()
    {
        await Store.ApplyAsync([E("p1", "default", "started", T0, start: true), E("p1", "own", "started", T0, start: true, timeout: 120)], CancellationToken.None);
        Assert.Null(await Store.GetDefaultTimeoutAsync("p1", CancellationToken.None));

        await Store.SetDefaultTimeoutAsync("p1", 300, CancellationToken.None);

        Assert.Equal(300, await Store.GetDefaultTimeoutAsync("p1", CancellationToken.None));
        Assert.Equal(T0.AddSeconds(300), (await Store.GetAsync("p1", "default", CancellationToken.None))!.StallsAt);
        Assert.Equal(T0.AddSeconds(120), (await Store.GetAsync("p1", "own", CancellationToken.None))!.StallsAt);
        await Store.ApplyAsync([E("p1", "later", "started", T0, start: true)], CancellationToken.None);
        Assert.Equal(300, (await Store.GetAsync("p1", "later", CancellationToken.None))!.TimeoutSeconds);
        Assert.Null(await Store.GetDefaultTimeoutAsync("p2", CancellationToken.None));
    }

    [Fact]
    public async Task Contexts_silent_since_the_cutoff_are_deleted_with_their_entries_in_batches()
    {
        await Store.ApplyAsync(
            [
                E("p1", "old-1", "run", T0.AddDays(-400), start: true), E("p1", "old-1", "end", T0.AddDays(-399), end: true),
                E("p1", "old-2", "run", T0.AddDays(-380), start: true),
                E("p2", "recent", "run", T0.AddDays(-400), start: true), E("p2", "recent", "still going", T0.AddDays(-1)),
            ],
            CancellationToken.None);

        Assert.Equal(1, await Store.DeleteInactiveAsync(T0.AddDays(-365), limit: 1, CancellationToken.None));
        Assert.Equal(1, await Store.DeleteInactiveAsync(T0.AddDays(-365), limit: 1, CancellationToken.None));
        Assert.Equal(0, await Store.DeleteInactiveAsync(T0.AddDays(-365), limit: 1, CancellationToken.None));

        Assert.Null(await Store.GetAsync("p1", "old-1", CancellationToken.None));
        Assert.Null(await Store.GetAsync("p1", "old-2", CancellationToken.None));
        Assert.NotNull(await Store.GetAsync("p2", "recent", CancellationToken.None));
        // Its entries went too: the same event again starts a new context instead of being ignored.
        await Store.ApplyAsync([E("p1", "old-2", "late", T0, id: "again")], CancellationToken.None);
        Assert.Equal(1, (await Store.GetAsync("p1", "old-2", CancellationToken.None))!.State.EventCount);
    }

    private static List<ContextEntryFor> CronRun(string projectId, string contextId) =>
    [
        E(projectId, contextId, "processing", T0.AddSeconds(1), id: "step-1"),
        E(projectId, contextId, "cron job started", T0, start: true, id: "start"),
        E(projectId, contextId, "processing", T0.AddSeconds(2), level: EventLevels.Warning, id: "step-2", timeout: 300),
        E(projectId, contextId, "processing finished", T0.AddSeconds(65), end: true, level: EventLevels.Success, id: "end"),
    ];

    private static ContextEntryFor E(
        string projectId, string contextId, string name, DateTimeOffset at, bool start = false, bool end = false, string level = EventLevels.Info,
        string? category = null, int? timeout = null, bool test = false, string? id = null) =>
        new(projectId, contextId, new ContextEntry(id ?? Guid.NewGuid().ToString("N"), name, "🤖", category, level, at, start, end, timeout, test, Backfilled: false));
}
