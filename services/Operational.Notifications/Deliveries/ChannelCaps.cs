namespace Operational.Notifications.Deliveries;

/// <summary>
/// A channel's cap on messages a minute (<c>maxMessagesPerMinute</c>): within each clock minute the
/// first N go, the rest wait for the next minute, in their order. Counted per process.
/// </summary>
public sealed class ChannelCaps(TimeProvider clock)
{
    private readonly Dictionary<string, (long Minute, int Sent)> _minutes = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Takes one of this minute's messages for the channel; when none is left, says how long until the next minute.</summary>
    public bool TryAcquire(string channelId, int cap, out TimeSpan wait)
    {
        var now = clock.GetUtcNow();
        var minute = now.ToUnixTimeMilliseconds() / 60_000;
        lock (_lock)
        {
            var (at, sent) = _minutes.GetValueOrDefault(channelId);
            if (at != minute)
            {
                (at, sent) = (minute, 0);
            }

            if (sent < cap)
            {
                _minutes[channelId] = (at, sent + 1);
                wait = TimeSpan.Zero;
                return true;
            }
        }

        wait = DateTimeOffset.FromUnixTimeMilliseconds((minute + 1) * 60_000) - now;
        return false;
    }
}
