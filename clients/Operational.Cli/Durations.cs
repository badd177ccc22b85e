using System.Globalization;
using System.Text.RegularExpressions;

namespace Operational.Cli;

/// <summary>Durations as people type them: <c>90s</c>, <c>15m</c>, <c>1h30m</c>, <c>7d</c>.</summary>
internal static partial class Durations
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var match = Pattern().Match(text ?? "");
        if (!match.Success || match.Length == 0)
        {
            return false;
        }

        foreach (Capture part in match.Groups["part"].Captures)
        {
            var number = double.Parse(part.Value[..^1], CultureInfo.InvariantCulture);
            duration += part.Value[^1] switch
            {
                's' => TimeSpan.FromSeconds(number),
                'm' => TimeSpan.FromMinutes(number),
                'h' => TimeSpan.FromHours(number),
                _ => TimeSpan.FromDays(number),
            };
        }

        return duration > TimeSpan.Zero;
    }

    /// <summary>"2h 5m", "41s", "850 ms": short, for tables.</summary>
    public static string Show(TimeSpan duration) => duration switch
    {
        { TotalSeconds: < 1 } => $"{duration.TotalMilliseconds:0} ms",
        { TotalMinutes: < 1 } => $"{duration.TotalSeconds:0.#}s",
        { TotalHours: < 1 } => $"{duration.Minutes}m {duration.Seconds}s",
        { TotalDays: < 1 } => $"{duration.Hours}h {duration.Minutes}m",
        _ => $"{(int)duration.TotalDays}d {duration.Hours}h",
    };

    [GeneratedRegex(@"^(?<part>\d+(\.\d+)?[smhd])+$")]
    private static partial Regex Pattern();
}
