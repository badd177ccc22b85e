using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Operational.Contracts.Events;
using Operational.Gateway.Ingest.Journal;
using Operational.ServiceDefaults.Storage;

namespace Operational.ApiTests;

/// <summary>The standalone host's promise behind a 202: the batch is journaled until every in-process subscriber has it.</summary>
public sealed class IngestJournalTests
{
    [Fact]
    public async Task Batches_leave_the_journal_once_every_subscriber_consumed_them()
    {
        await using var factory = new StandaloneFactory();
        var client = factory.CreateOperationalClient();

        var ids = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => client.IngestAsync(StandaloneFactory.IngestKey, $$"""{"name":"journaled {{i}}"}""")));
        Assert.NotEmpty(factory.Sink.Batches);

        var journal = factory.Services.GetRequiredService<IngestJournal>();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await journal.CountAsync(CancellationToken.None) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(0, await journal.CountAsync(CancellationToken.None));
        await client.WaitForEventAsync(StandaloneFactory.AdminKey, ids[^1], TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_batch_left_in_the_journal_by_a_crash_is_processed_at_the_next_start()
    {
        await using var factory = new StandaloneFactory();
        var journal = new IngestJournal(new SqliteDatabase(Path.Combine(factory.DataDirectory, "ingest-journal.db")));
        await journal.InitializeAsync(CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        var left = new EventsIngested(Guid.CreateVersion7(), now,
            [new IngestedEvent("0190f0a0-0000-7000-8000-000000000001", "default", "accepted before the crash", null, null, null, now, now)]);
        await journal.AppendAsync(left.BatchId, left.AcceptedAt, JsonSerializer.SerializeToUtf8Bytes(left, JournalJson.Options), CancellationToken.None);

        var client = factory.CreateOperationalClient();
        var stored = await client.WaitForEventAsync(StandaloneFactory.AdminKey, "0190f0a0-0000-7000-8000-000000000001", TimeSpan.FromSeconds(10));

        Assert.Equal("accepted before the crash", stored.GetProperty("name").GetString());
    }
}
