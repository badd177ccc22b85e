using System.Diagnostics;
using Xunit;

namespace Operational.TestSupport;

/// <summary>
/// A small tmpfs of the test's own: a real filesystem that fills up (ENOSPC) or refuses writes
/// (read-only), for the disk-full and start-up tests. Mounting needs root, which tests/run.sh has on
/// CI; elsewhere those tests are skipped with this reason (README, "Test it").
/// </summary>
public sealed class Tmpfs : IAsyncDisposable
{
    public const string SkipReason = "Mounting a tmpfs needs root (tests/run.sh runs as root on CI).";

    private Tmpfs(string path) => Path = path;

    public string Path { get; }

    private string Filler => System.IO.Path.Combine(Path, ".filler");

    public static async Task<Tmpfs> MountAsync(int sizeKiB, bool readOnly = false)
    {
        if (Environment.UserName != "root")
        {
            Assert.Skip(SkipReason);
        }

        var path = Directory.CreateTempSubdirectory("operational-tmpfs-").FullName;
        await RunAsync("mount", "-t", "tmpfs", "-o", $"size={sizeKiB}k,mode=0700{(readOnly ? ",ro" : "")}", "tmpfs", path);
        return new Tmpfs(path);
    }

    /// <summary>Writes a filler file until the filesystem is full.</summary>
    public void Fill()
    {
        using var filler = new FileStream(Filler, FileMode.Append, FileAccess.Write);
        var block = new byte[4096];
        try
        {
            while (true)
            {
                filler.Write(block);
                filler.Flush();
            }
        }
        catch (IOException)
        {
            // ENOSPC: full.
        }
    }

    /// <summary>Deletes the filler: the space is back.</summary>
    public void Free() => File.Delete(Filler);

    public async ValueTask DisposeAsync()
    {
        await RunAsync("umount", "-l", Path);
        Directory.Delete(Path);
    }

    private static async Task RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {await error}");
        }
    }
}
