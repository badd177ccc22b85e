using System.Text.Json;
using Operational.Contracts.Events;
using Operational.Storage.Events;

namespace Operational.IntegrationTests.Storage;

/// <summary>
/// What every event store must do, whatever its database. SQLite and MongoDB run the same
/// tests; a provider that passes is interchangeable with the others.
/// </summary>
public abstract class EventStoreContract : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    protected IEventStore Store { get; private set; } = null!;

    protected abstract Task<IEventStore> CreateStoreAsync();

    public async ValueTask InitializeAsync()
    {
        Store = await CreateStoreAsync();
        await Store.InitializeAsync(CancellationToken.None);
        await Store.InitializeAsync(CancellationToken.None); // idempotent: every start calls it
    }

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Stored_event_reads_back_field_for_field()
    {
        var content = JsonDocument.Parse("""{"plan":"pro","n":12345678901234567890.5,"rows":[1,"a",null,true]}""").RootElement;
        var e = new IngestedEvent("e1", "p1", "user signed up", "🎉", "signups", content, T0, T0.AddMilliseconds(3));

        Assert.Equal(1, await Store.AppendAsync([e], CancellationToken.None));
        var stored = await Store.GetAsync("p1", "e1", CancellationToken.None);

        Assert.NotNull(stored);
        Assert.Equal(("e1", "p1", "user signed up", "🎉", "signups"), (stored.Id, stored.ProjectId, stored.Name, stored.Avatar, stored.Category));
        Assert.Equal(content.GetRawText(), stored.Content!.Value.GetRawText());
        Assert.Equal(T0, stored.Timestamp);
        Assert.Equal(T0.AddMilliseconds(3), stored.ReceivedAt);
    }

    [Fact]
    public async Task Optional_fields_may_be_absent()
    {
        await Store.AppendAsync([Event("p1", "bare", T0) with { Avatar = null, Category = null, Content = null }], CancellationToken.None);

        var stored = await Store.GetAsync("p1", "bare", CancellationToken.None);

        Assert.Null(stored!.Avatar);
        Assert.Null(stored.Category);
        Assert.Null(stored.Content);
    }

    [Fact]
    public async Task Redelivered_batch_is_stored_once()
    {
        IngestedEvent[] batch = [Event("p1", "a", T0), Event("p1", "b", T0.AddSeconds(1))];

        Assert.Equal(2, await Store.AppendAsync(batch, CancellationToken.None));
        Assert.Equal(0, await Store.AppendAsync(batch, CancellationToken.None));
        Assert.Equal(1, await Store.AppendAsync([batch[0], Event("p1", "c", T0.AddSeconds(2))], CancellationToken.None));

        var page = await Store.ListAsync("p1", new EventQuery(10), CancellationToken.None);
        Assert.Equal(["c", "b", "a"], page.Events.Select(e => e.Id));
    }

    [Fact]
    public async Task Duplicate_keeps_the_first_version()
    {
        await Store.AppendAsync([Event("p1", "a", T0) with { Name = "first" }], CancellationToken.None);
        await Store.AppendAsync([Event("p1", "a", T0) with { Name = "second" }], CancellationToken.None);

        Assert.Equal("first", (await Store.GetAsync("p1", "a", CancellationToken.None))!.Name);
    }

    [Fact]
    public async Task Projects_never_see_each_other()
    {
        await Store.AppendAsync([Event("p1", "same-id", T0) with { Name = "one" }, Event("p2", "same-id", T0) with { Name = "two" }], CancellationToken.None);

        Assert.Equal("one", (await Store.GetAsync("p1", "same-id", CancellationToken.None))!.Name);
        Assert.Equal("two", (await Store.GetAsync("p2", "same-id", CancellationToken.None))!.Name);
        Assert.Null(await Store.GetAsync("p3", "same-id", CancellationToken.None));
        Assert.Equal(["one"], (await Store.ListAsync("p1", new EventQuery(10), CancellationToken.None)).Events.Select(e => e.Name));
        Assert.Empty((await Store.ListAsync("p3", new EventQuery(10), CancellationToken.None)).Events);
    }

    [Fact]
    public async Task Pages_are_newest_first_with_ties_broken_by_id()
    {
        // Three events share a millisecond: the id decides, descending.
        await Store.AppendAsync(
            [
                Event("p1", "a", T0),
                Event("p1", "m", T0.AddSeconds(5)),
                Event("p1", "x", T0.AddSeconds(5)),
                Event("p1", "c", T0.AddSeconds(5)),
                Event("p1", "z", T0.AddSeconds(9)),
            ],
            CancellationToken.None);

        var first = await Store.ListAsync("p1", new EventQuery(2), CancellationToken.None);
        var second = await Store.ListAsync("p1", new EventQuery(2, first.Next), CancellationToken.None);
        var third = await Store.ListAsync("p1", new EventQuery(2, second.Next), CancellationToken.None);

        Assert.Equal(["z", "x"], first.Events.Select(e => e.Id));
        Assert.Equal(["m", "c"], second.Events.Select(e => e.Id));
        Assert.Equal(["a"], third.Events.Select(e => e.Id));
        Assert.NotNull(first.Next);
        Assert.NotNull(second.Next);
        Assert.Null(third.Next);
    }

    [Fact]
    public async Task Cursor_is_stable_while_new_events_arrive()
    {
        await Store.AppendAsync([Event("p1", "a", T0), Event("p1", "b", T0.AddSeconds(1)), Event("p1", "c", T0.AddSeconds(2))], CancellationToken.None);
        var first = await Store.ListAsync("p1", new EventQuery(2), CancellationToken.None);

        await Store.AppendAsync([Event("p1", "new", T0.AddSeconds(10))], CancellationToken.None);
        var second = await Store.ListAsync("p1", new EventQuery(2, first.Next), CancellationToken.None);

        Assert.Equal(["c", "b"], first.Events.Select(e => e.Id));
        Assert.Equal(["a"], second.Events.Select(e => e.Id));
    }

    [Fact]
    public async Task Exact_page_size_has_no_next_page()
    {
        await Store.AppendAsync([Event("p1", "a", T0), Event("p1", "b", T0.AddSeconds(1))], CancellationToken.None);

        var page = await Store.ListAsync("p1", new EventQuery(2), CancellationToken.None);

        Assert.Equal(2, page.Events.Count);
        Assert.Null(page.Next);
    }

    [Fact]
    public async Task Large_batch_is_stored_whole()
    {
        var batch = Enumerable.Range(0, 1000).Select(i => Event("p1", $"e{i:D4}", T0.AddMilliseconds(i))).ToArray();

        Assert.Equal(1000, await Store.AppendAsync(batch, CancellationToken.None));

        var page = await Store.ListAsync("p1", new EventQuery(EventQuery.MaxLimit), CancellationToken.None);
        Assert.Equal("e0999", page.Events[0].Id);
        Assert.Equal(EventQuery.MaxLimit, page.Events.Count);
    }

    [Fact]
    public async Task Ping_answers() => await Store.PingAsync(CancellationToken.None);

    private static IngestedEvent Event(string project, string id, DateTimeOffset at) =>
        new(id, project, $"event {id}", "🔥", "test", null, at, at);
}
