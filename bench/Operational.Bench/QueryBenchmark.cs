using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Operational.ServiceDefaults.Storage;
using Operational.Storage.Events;
using Operational.Storage.Events.Sqlite;

namespace Operational.Bench;

/// <summary>
/// Queries on one project holding <c>events</c> events in SQLite, through the storage service's
/// own store (what every read endpoint calls). Loads the data once into <c>dataDirectory</c>
/// and reuses it on later runs.
/// </summary>
internal static class QueryBenchmark
{
    private const string Project = "bench";
    private const int LoadBatch = 5_000;
    private const int Warmup = 20;
    private const int Runs = 300;

    public static async Task RunAsync(long events, string dataDirectory)
    {
        var database = new SqliteDatabase(Path.Combine(dataDirectory, $"events-{events}.db"));
        var store = new SqliteEventStore(database);
        await store.InitializeAsync(CancellationToken.None);
        var generator = new DataGenerator();
        await LoadAsync(store, generator, events);

        var file = new FileInfo(database.FilePath);
        Report.Line($"## Query benchmark: {events:N0} events in one project (SQLite)");
        Report.Line();
        Report.Line($"Database: {file.Length / 1024.0 / 1024 / 1024:0.00} GiB. Each query {Runs} times after {Warmup} warm-up runs, limit 50, one at a time.");
        Report.Line();

        var floor = await MeasureAsync(async () =>
        {
            await using var connection = await database.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync();
        });

        var random = new Random(1);
        var newest = await MeasureAsync(() => store.ListAsync(Project, new EventQuery(50), CancellationToken.None));
        var deep = await MeasureAsync(async () =>
        {
            var page = await store.ListAsync(Project, new EventQuery(50), CancellationToken.None);
            for (var i = 0; i < 9 && page.Next is not null; i++)
            {
                page = await store.ListAsync(Project, new EventQuery(50, page.Next), CancellationToken.None);
            }
        });
        var category = await MeasureAsync(() => store.ListAsync(Project,
            new EventQuery(50) { Category = DataGenerator.Categories[random.Next(DataGenerator.Categories.Length)] }, CancellationToken.None));
        var rareCategory = await MeasureAsync(() => store.ListAsync(Project,
            new EventQuery(50) { Category = DataGenerator.Categories[^(1 + random.Next(3))] }, CancellationToken.None));
        var words = generator.Vocabulary;
        var commonWord = await MeasureAsync(() => store.ListAsync(Project, new EventQuery(50) { Words = [words[random.Next(10)]] }, CancellationToken.None));
        var midWord = await MeasureAsync(() => store.ListAsync(Project, new EventQuery(50) { Words = [words[100 + random.Next(400)]] }, CancellationToken.None));
        var rareWord = await MeasureAsync(() => store.ListAsync(Project, new EventQuery(50) { Words = [words[3000 + random.Next(2000)]] }, CancellationToken.None));
        var twoWords = await MeasureAsync(() => store.ListAsync(Project, new EventQuery(50) { Words = [words[random.Next(50)], words[random.Next(500)]] }, CancellationToken.None));
        var nameSearch = await MeasureAsync(() => store.ListAsync(Project, new EventQuery(50) { Words = ["payment"] }, CancellationToken.None));
        var tag = await MeasureAsync(() => store.ListAsync(Project, new EventQuery(50) { Tag = StoredEventJson.TagPair("plan", "pro") }, CancellationToken.None));
        var user = await MeasureAsync(() => store.ListAsync(Project, new EventQuery(50) { UserId = $"user-{random.Next(50_000)}" }, CancellationToken.None));
        var categories = await MeasureAsync(() => store.CategoriesAsync(Project, false, CancellationToken.None));

        Report.Line(Samples.Header);
        Report.Line(floor.Row("floor: `SELECT 1` on a pooled connection"));
        Report.Line(newest.Row("newest page", 10));
        Report.Line(deep.Row("10 pages deep (10 queries)"));
        Report.Line(category.Row("category filter (random of 20)", 20));
        Report.Line(rareCategory.Row("category filter (rarest 3)", 20));
        Report.Line(commonWord.Row("search: one of the 10 most common words", 100));
        Report.Line(midWord.Row("search: word of rank 100–500", 100));
        Report.Line(rareWord.Row("search: word of rank 3000–5000", 100));
        Report.Line(twoWords.Row("search: two words", 100));
        Report.Line(nameSearch.Row("search: a word of an event name", 100));
        Report.Line(tag.Row("tag filter"));
        Report.Line(user.Row("userId filter"));
        Report.Line(categories.Row("categories with counts"));
        Report.Line();
        Report.Line($"Ratios to the floor (p95): newest page {Report.F(newest.Percentile(95) / floor.Percentile(95), "0.0")}×, " +
                    $"category {Report.F(category.Percentile(95) / floor.Percentile(95), "0.0")}×, " +
                    $"common-word search {Report.F(commonWord.Percentile(95) / floor.Percentile(95), "0.0")}×.");
        Report.Line();
    }

    private static async Task LoadAsync(SqliteEventStore store, DataGenerator generator, long target)
    {
        var present = await store.LatestPositionAsync(Project, CancellationToken.None);
        if (present >= target)
        {
            Report.Progress($"Reusing {present:N0} loaded events.");
            return;
        }

        // Timestamps spread over the last 300 days, in order with jitter, as a live project's would be.
        var start = DateTimeOffset.UtcNow.AddDays(-300);
        var step = TimeSpan.FromDays(300).Ticks / target;
        var watch = Stopwatch.StartNew();
        var batch = new List<Operational.Contracts.Events.IngestedEvent>(LoadBatch);
        for (var n = present; n < target; n++)
        {
            var at = start.AddTicks(step * n + Random.Shared.Next(1000) * TimeSpan.TicksPerMillisecond);
            batch.Add(generator.Event(Project, n, DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds())));
            if (batch.Count == LoadBatch || n == target - 1)
            {
                await store.AppendAsync(batch, CancellationToken.None);
                batch.Clear();
                if ((n + 1) % 250_000 == 0 || n == target - 1)
                {
                    var rate = (n + 1 - present) / watch.Elapsed.TotalSeconds;
                    Report.Progress($"  loaded {n + 1:N0} / {target:N0} events ({rate:N0}/s, ~{(target - n - 1) / rate / 60:0.0} min left)");
                }
            }
        }

        Report.Progress("Analyzing...");
        await using var connection = new SqliteConnection($"Data Source={store.Database.FilePath}");
        await connection.OpenAsync();
        await using var analyze = connection.CreateCommand();
        analyze.CommandText = "PRAGMA optimize; ANALYZE;";
        await analyze.ExecuteNonQueryAsync();
    }

    private static async Task<Samples> MeasureAsync(Func<Task> query)
    {
        for (var i = 0; i < Warmup; i++)
        {
            await query();
        }

        var samples = new Samples();
        for (var i = 0; i < Runs; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await query();
            samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return samples;
    }
}
