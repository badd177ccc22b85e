using Operational.Gateway.Ingest.Duplicates;
using Operational.ServiceDefaults.Storage;
using Operational.TestSupport;

namespace Operational.IntegrationTests.Identity;

/// <summary>What both ledgers of accepted event ids must do.</summary>
public abstract class EventIdLedgerContract : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    protected IEventIdLedger Ledger { get; private set; } = null!;

    protected abstract IEventIdLedger CreateLedger();

    public async ValueTask InitializeAsync()
    {
        Ledger = CreateLedger();
        await Ledger.InitializeAsync(CancellationToken.None);
        await Ledger.InitializeAsync(CancellationToken.None);
    }

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Recorded_ids_are_found_per_project()
    {
        await Ledger.RecordAsync("p1", ["a", "b"], T0, CancellationToken.None);
        await Ledger.RecordAsync("p1", ["b", "c"], T0.AddDays(1), CancellationToken.None); // b keeps its first time

        Assert.Equal(["a", "c"], (await Ledger.FindAsync("p1", ["a", "c", "z"], CancellationToken.None)).Order());
        Assert.Empty(await Ledger.FindAsync("p2", ["a", "b", "c"], CancellationToken.None));
        Assert.Empty(await Ledger.FindAsync("p1", [], CancellationToken.None));
    }

    [Fact]
    public async Task Purge_forgets_only_old_ids_in_bounded_steps()
    {
        await Ledger.RecordAsync("p1", ["old1", "old2", "old3"], T0, CancellationToken.None);
        await Ledger.RecordAsync("p2", ["new"], T0.AddDays(8), CancellationToken.None);

        var purged = 0;
        int step;
        do
        {
            step = await Ledger.PurgeAsync(T0.AddDays(1), 2, CancellationToken.None);
            Assert.InRange(step, 0, 3);
            purged += step;
        }
        while (step > 0);

        Assert.Equal(3, purged);
        Assert.Empty(await Ledger.FindAsync("p1", ["old1", "old2", "old3"], CancellationToken.None));
        Assert.Equal(["new"], await Ledger.FindAsync("p2", ["new"], CancellationToken.None));
    }
}

public sealed class SqliteEventIdLedgerTests : EventIdLedgerContract
{
    private readonly TempDirectory _data = new("operational-ledger");

    protected override IEventIdLedger CreateLedger() => new SqliteEventIdLedger(new SqliteDatabase(Path.Combine(_data.Path, "ingest-ids.db")));

    public override ValueTask DisposeAsync()
    {
        _data.Dispose();
        return ValueTask.CompletedTask;
    }
}

public sealed class MongoEventIdLedgerTests : EventIdLedgerContract
{
    private MongoTestDatabase? _mongo;

    protected override IEventIdLedger CreateLedger()
    {
        _mongo = MongoTestDatabase.FromEnvironment();
        return new MongoEventIdLedger(_mongo.Database);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_mongo is not null)
        {
            await _mongo.DisposeAsync();
        }
    }
}
