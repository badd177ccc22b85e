using Operational.TestSupport;

namespace Operational.ApiTests;

/// <summary>The data folder and every file in it are the owner's alone.</summary>
public sealed class DataFilesTests : OwnStandaloneHostTests
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // Unix file modes; these machines are Linux
    public async Task The_data_folder_and_its_files_are_readable_by_the_owner_only()
    {
        var id = await Client.IngestAsync(StandaloneFactory.IngestKey, """{"name":"written to disk"}""");
        await Client.WaitForEventAsync(StandaloneFactory.AdminKey, id, TimeSpan.FromSeconds(10));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Factory.DataDirectory));
        var files = Directory.GetFiles(Factory.DataDirectory);
        Assert.Contains(files, f => f.EndsWith("notifications.db", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("events.db-wal", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("secrets.key", StringComparison.Ordinal));
        Assert.All(files, f => Assert.True(File.GetUnixFileMode(f) == (UnixFileMode.UserRead | UnixFileMode.UserWrite), $"{Path.GetFileName(f)} is {File.GetUnixFileMode(f)}"));
    }
}
