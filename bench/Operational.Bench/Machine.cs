using System.Runtime.InteropServices;

namespace Operational.Bench;

/// <summary>What the numbers were measured on, printed at the top of every run.</summary>
internal static class Machine
{
    public static async Task DescribeAsync()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? (await File.ReadAllLinesAsync("/proc/cpuinfo")).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var memory = File.Exists("/proc/meminfo")
            ? (await File.ReadAllLinesAsync("/proc/meminfo")).FirstOrDefault(l => l.StartsWith("MemTotal", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        Report.Line($"# Operational benchmark, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Report.Line();
        Report.Line($"- Machine: {Environment.ProcessorCount} cores ({cpu ?? "unknown CPU"}), {memory ?? "unknown memory"}, {RuntimeInformation.OSDescription}");
        Report.Line($"- .NET {Environment.Version}, SQLite {SqliteVersion()}, benchmark and system under test on the same machine");
        Report.Line();
    }

    private static string SqliteVersion()
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sqlite_version()";
        return (string)command.ExecuteScalar()!;
    }
}
