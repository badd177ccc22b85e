using Operational.ServiceDefaults.Storage;
using Operational.TestSupport;

namespace Operational.UnitTests.Storage;

public sealed class SqliteDatabaseTests
{
    /// <summary>Replicas sharing a data folder start at the same moment; each must open the file the first one made.</summary>
    [Fact]
    public async Task Processes_creating_the_same_new_file_at_once_all_open_it()
    {
        using var data = new TempDirectory("operational-sqlite");
        string[] migrations = ["CREATE TABLE t (x INTEGER)"];
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var path = Path.Combine(data.Path, $"shared-{attempt}.db");
            using var start = new Barrier(4);
            await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                start.SignalAndWait();
                await new SqliteDatabase(path).MigrateAsync(migrations);
            })));
            Assert.Equal(1L, await new SqliteDatabase(path).ScalarAsync("PRAGMA user_version", CancellationToken.None));
        }
    }
}
