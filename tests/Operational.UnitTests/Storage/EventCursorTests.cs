using Operational.Storage.Events;

namespace Operational.UnitTests.Storage;

public sealed class EventCursorTests
{
    [Theory]
    [InlineData(0L, "a")]
    [InlineData(1_763_800_000_123L, "01a20559-e9b0-7439-94c6-b5ea30772381")]
    [InlineData(-5L, "id.with.dots/and:colons")]
    public void Round_trips(long ms, string id)
    {
        var encoded = new EventCursor(ms, id).Encode();

        Assert.True(EventCursor.TryDecode(encoded, out var decoded));
        Assert.Equal(new EventCursor(ms, id), decoded);
        Assert.Matches("^[A-Za-z0-9_-]+$", encoded);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("%%%")]
    [InlineData("bm90LWEtY3Vyc29y")] // "not-a-cursor"
    [InlineData("MTIzLg")] // "123." (no id)
    [InlineData("LmFiYw")] // ".abc" (no time)
    public void Rejects_what_it_did_not_make(string? value) =>
        Assert.False(EventCursor.TryDecode(value, out _));
}
