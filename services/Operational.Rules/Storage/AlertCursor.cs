using Operational.ServiceDefaults.Paging;

namespace Operational.Rules.Storage;

/// <summary>Where the next page of alerts starts: after (triggered time, alert id), newest first.</summary>
public static class AlertCursor
{
    public static bool TryDecode(string? cursor, out long triggeredMs, out string alertId)
    {
        triggeredMs = 0;
        alertId = "";
        return TimeIdCursor.DecodeText(cursor) is { } text && TimeIdCursor.TryParse(text, out triggeredMs, out alertId);
    }

    /// <summary>Stores fetch one alert more than the limit to learn whether another page exists.</summary>
    public static AlertPage Page(IReadOnlyList<AlertRecord> overfetched, int limit)
    {
        if (overfetched.Count <= limit)
        {
            return new AlertPage(overfetched, null);
        }

        var page = overfetched.Take(limit).ToList();
        var last = page[^1].Alert;
        return new AlertPage(page, TimeIdCursor.Encode(last.TriggeredAt.ToUnixTimeMilliseconds(), last.AlertId));
    }
}
