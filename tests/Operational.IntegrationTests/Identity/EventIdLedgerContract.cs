using Operational.Gateway.Ingest.Duplicates;

namespace Operational.IntegrationTests.Identity;

/// <summary>What both ledgers of accepted event ids must do.</summary>
public abstract class EventIdLedgerContract : StoreContract<IEventIdLedger>
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Recorded_ids_are_found_per_project()
    {
        await Store.RecordAsync("p1", ["a", "b"], T0, CancellationToken.None);
        await Store.RecordAsync("p1", ["b", "c"], T0.AddDays(1), CancellationToken.None); // b keeps its first time

        Assert.Equal(["a", "c"], (await Store.FindAsync("p1", ["a", "c", "z"], CancellationToken.None)).Order());
        Assert.Empty(await Store.FindAsync("p2", ["a", "b", "c"], CancellationToken.None));
        Assert.Empty(await Store.FindAsync("p1", [], CancellationToken.None));
    }

    [Fact]
    public async Task Purge_forgets_only_old_ids_in_bounded_steps()
    {
        await Store.RecordAsync("p1", ["old1", "old2", "old3"], T0, CancellationToken.None);
        await Store.RecordAsync("p2", ["new"], T0.AddDays(8), CancellationToken.None);

        var purged = 0;
        int step;
        do
        {
            step = await Store.PurgeAsync(T0.AddDays(1), 2, CancellationToken.None);
            Assert.InRange(step, 0, 3);
            purged += step;
        }
        while (step > 0);

        Assert.Equal(3, purged);
        Assert.Empty(await Store.FindAsync("p1", ["old1", "old2", "old3"], CancellationToken.None));
        Assert.Equal(["new"], await Store.FindAsync("p2", ["new"], CancellationToken.None));
    }
}

public sealed class SqliteEventIdLedgerTests : EventIdLedgerContract
{
    protected override IEventIdLedger CreateStore() => new SqliteEventIdLedger(Databases.Sqlite("ingest-ids"));
}

public sealed class MongoEventIdLedgerTests : EventIdLedgerContract
{
    protected override IEventIdLedger CreateStore() => new MongoEventIdLedger(Databases.Mongo);
}
