using Cronos;

namespace Operational.Rules.Alerts;

/// <summary>
/// A recurring silence: from each occurrence of a cron schedule in a time zone, for a duration of
/// wall-clock time ("every Sunday 02:00–03:00 Europe/Berlin"). Daylight-saving changes move it as
/// a wall clock does: on the autumn night the window ends at 03:00 local after the repeated hour
/// (two hours long); on the spring night its start falls in the skipped hour, so it starts when the
/// clocks jump and lasts its duration (as cron runs a job scheduled in the gap then).
/// </summary>
public sealed record MaintenanceWindow(CronExpression Cron, TimeZoneInfo Zone, TimeSpan Duration)
{
    /// <summary>Whether some occurrence's window holds <paramref name="now"/>.</summary>
    public bool Covers(DateTimeOffset now)
    {
        // A window is at most its duration plus the hour a clock change adds.
        var from = now - Duration - TimeSpan.FromHours(2);
        foreach (var start in Cron.GetOccurrences(from.UtcDateTime, now.UtcDateTime, Zone, fromInclusive: true, toInclusive: true))
        {
            var opened = new DateTimeOffset(start, TimeSpan.Zero);
            if (opened <= now && now < End(opened))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The window's end: its start's local time plus the duration, read on the local clock (the later reading when ambiguous).</summary>
    public DateTimeOffset End(DateTimeOffset start)
    {
        var localEnd = TimeZoneInfo.ConvertTime(start, Zone).DateTime + Duration;
        if (Zone.IsInvalidTime(localEnd))
        {
            // Inside a skipped hour: the end comes when the clocks have jumped.
            var elapsed = start + Duration;
            return elapsed;
        }

        var offset = Zone.IsAmbiguousTime(localEnd) ? Zone.GetAmbiguousTimeOffsets(localEnd).Min() : Zone.GetUtcOffset(localEnd);
        var end = new DateTimeOffset(DateTime.SpecifyKind(localEnd, DateTimeKind.Unspecified), offset);
        return end > start ? end : start + Duration;
    }

    /// <summary>The window of a stored silence, or null when it is a one-off.</summary>
    public static MaintenanceWindow? Of(string? cron, string? timeZone, int? durationSeconds)
    {
        if (cron is null || durationSeconds is not { } seconds)
        {
            return null;
        }

        var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        return new MaintenanceWindow(
            CronExpression.Parse(cron, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard),
            string.IsNullOrEmpty(timeZone) ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(timeZone),
            TimeSpan.FromSeconds(seconds));
    }
}
