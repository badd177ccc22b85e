using Microsoft.Extensions.Time.Testing;
using Operational.Notifications.Deliveries;

namespace Operational.UnitTests.Notifications;

public sealed class ChannelCapsTests
{
    [Fact]
    public void A_channel_capped_at_two_a_minute_sends_two_and_the_rest_wait_for_the_next_minute()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2027, 1, 4, 9, 0, 40, TimeSpan.Zero));
        var caps = new ChannelCaps(clock);

        Assert.True(caps.TryAcquire("ch_a", 2, out _));
        Assert.True(caps.TryAcquire("ch_a", 2, out _));
        Assert.False(caps.TryAcquire("ch_a", 2, out var wait));
        Assert.Equal(TimeSpan.FromSeconds(20), wait);
        Assert.True(caps.TryAcquire("ch_b", 2, out _)); // another channel has its own minute

        clock.Advance(TimeSpan.FromSeconds(20));
        Assert.True(caps.TryAcquire("ch_a", 2, out _));
    }
}
