using Operational.Contexts.Tracking;
using Operational.Contracts.Events;

namespace Operational.UnitTests.Contexts;

public sealed class ContextStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);

    /// <summary>A cron run: start, steps (one warning, one that declares a timeout), end; some children carry earlier timestamps than the start.</summary>
    private static List<ContextEntry> CronRun() =>
    [
        Entry("start", "cron job started", T0, start: true, avatar: "🤖"),
        Entry("early", "queue opened", T0.AddSeconds(-2)),
        Entry("step-1", "processing", T0.AddSeconds(1)),
        Entry("step-2", "processing", T0.AddSeconds(2), level: EventLevels.Warning),
        Entry("step-3", "processing", T0.AddSeconds(3), timeout: 600),
        Entry("step-4", "processing", T0.AddSeconds(3), timeout: 900), // same time: the larger id wins
        Entry("end", "processing finished", T0.AddSeconds(65), end: true, level: EventLevels.Success),
    ];

    [Fact]
    public void In_order_fold_gives_the_expected_context()
    {
        var state = ContextState.Fold(CronRun())!;

        Assert.Equal(("cron job started", "🤖", "start"), (state.Title, state.Avatar, state.TitleEventId));
        Assert.Equal(T0.AddSeconds(-2), state.FirstEventAt);
        Assert.Equal(T0.AddSeconds(65), state.LastEventAt);
        Assert.Equal(TimeSpan.FromSeconds(67), state.Duration);
        Assert.Equal(7, state.EventCount);
        Assert.Equal((5L, 1L, 1L, 0L), (state.Info, state.Success, state.Warning, state.Error));
        Assert.Equal(ContextStatus.Completed, state.Status);
        Assert.Equal(900, state.TimeoutSeconds);
    }

    [Fact]
    public void Any_order_with_duplicates_and_any_grouping_gives_the_in_order_context()
    {
        var expected = ContextState.Fold(CronRun());
        var seed = Environment.TickCount;
        var random = new Random(seed);
        for (var trial = 0; trial < 2_000; trial++)
        {
            // Redelivery: some entries come twice or three times.
            var delivered = CronRun().SelectMany(e => Enumerable.Repeat(e, random.Next(1, 4))).ToArray();
            random.Shuffle(delivered);

            // Replicas: the stores keep each event's first arrival; the stream of those is cut
            // into groups folded separately (one per replica or batch), merged in any order.
            var seen = new HashSet<string>();
            var firstArrivals = delivered.Where(e => seen.Add(e.EventId)).ToArray();
            var partials = Split(firstArrivals, random).Select(group => ContextState.Fold(group)!).ToArray();
            random.Shuffle(partials);
            var merged = partials.Aggregate((a, b) => a.Merge(b));

            Assert.True(expected == merged, $"trial {trial} (seed {seed}) differs:\n{expected}\n{merged}");
            Assert.Equal(expected, ContextState.Fold(delivered));
        }
    }

    [Fact]
    public void Title_comes_from_the_earliest_event_until_the_start_arrives()
    {
        var before = ContextState.Fold([Entry("b", "processing", T0.AddSeconds(2)), Entry("a", "queue opened", T0.AddSeconds(1))])!;
        Assert.Equal("queue opened", before.Title);

        var after = before.Add(Entry("s", "cron job started", T0.AddSeconds(5), start: true, avatar: "🤖"));
        Assert.Equal(("cron job started", "🤖"), (after.Title, after.Avatar));
    }

    [Theory]
    [InlineData(EventLevels.Error, false, ContextStatus.Failed)]
    [InlineData(EventLevels.Error, true, ContextStatus.Failed)]
    [InlineData(EventLevels.Warning, true, ContextStatus.Completed)]
    [InlineData(EventLevels.Info, false, ContextStatus.Open)]
    public void Status_follows_errors_then_the_end(string level, bool end, string status)
    {
        var state = ContextState.Of(Entry("s", "started", T0, start: true)).Add(Entry("x", "step", T0.AddSeconds(1), level: level, end: end));

        Assert.Equal(status, state.Status);
    }

    [Fact]
    public void Open_context_stalls_after_its_timeout_and_is_announced_once_per_stall()
    {
        var state = ContextState.Of(Entry("s", "started", T0, start: true));
        var record = ContextRecord.For("p", "c", state, defaultTimeoutSeconds: 3600, announced: null, version: 1);

        Assert.Equal(ContextStatus.Open, record.StatusAt(T0.AddMinutes(59)));
        Assert.Equal(ContextStatus.Stalled, record.StatusAt(T0.AddHours(1)));
        Assert.Equal(T0.AddHours(1), record.PendingAt);

        var announced = record with { Announced = record.Announcement };
        Assert.Null(announced.PendingAt);

        // It wakes up and stalls again later: a new stall, announced again.
        var woke = ContextRecord.For("p", "c", state.Add(Entry("x", "step", T0.AddHours(2))), 3600, announced.Announced, 2);
        Assert.Equal(ContextStatus.Open, woke.StatusAt(T0.AddHours(2.5)));
        Assert.Equal(T0.AddHours(3), woke.PendingAt);
    }

    [Fact]
    public void Declared_timeout_beats_the_project_default()
    {
        var record = ContextRecord.For("p", "c", ContextState.Of(Entry("s", "started", T0, timeout: 60)), defaultTimeoutSeconds: 3600, announced: null, version: 1);

        Assert.Equal(60, record.TimeoutSeconds);
        Assert.Equal(ContextStatus.Stalled, record.StatusAt(T0.AddSeconds(60)));
    }

    [Fact]
    public void Completion_is_due_at_once_and_history_is_never_announced()
    {
        var done = ContextState.Of(Entry("s", "started", T0, start: true)).Add(Entry("e", "finished", T0.AddSeconds(1), end: true));
        Assert.Equal(DateTimeOffset.UnixEpoch, ContextRecord.For("p", "c", done, 3600, null, 1).PendingAt);

        var history = ContextState.Of(Entry("s", "started", T0, start: true) with { Backfilled = true });
        Assert.Null(ContextRecord.For("p", "c", history, 3600, null, 1).PendingAt);
    }

    private static List<ContextEntry[]> Split(ContextEntry[] entries, Random random)
    {
        var groups = new List<ContextEntry[]>();
        var start = 0;
        while (start < entries.Length)
        {
            var length = random.Next(1, entries.Length - start + 1);
            groups.Add(entries[start..(start + length)]);
            start += length;
        }

        return groups;
    }

    private static ContextEntry Entry(
        string id, string name, DateTimeOffset at, bool start = false, bool end = false, string level = EventLevels.Info, int? timeout = null, string? avatar = null) =>
        new(id, name, avatar, "cron", level, at, start, end, timeout, Test: false, Backfilled: false);
}
