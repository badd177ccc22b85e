namespace Operational.ServiceDefaults.Time;

/// <summary>Every store keeps times as Unix milliseconds.</summary>
public static class StoredTime
{
    /// <summary>Now, to the millisecond: what is created now reads back with the time it was answered with.</summary>
    public static DateTimeOffset GetUtcNowMs(this TimeProvider clock) => clock.GetUtcNow().TruncateToMs();

    public static DateTimeOffset TruncateToMs(this DateTimeOffset time) => DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());
}
