using Operational.Ids;

namespace Operational.UnitTests.Ingest;

public sealed class EventIdsTests
{
    [Fact]
    public void Composes_the_uuidv7_of_rfc_9562s_example()
    {
        // RFC 9562 appendix A.6: unix_ts_ms 0x017F22E279B0, rand_a 0xCC3, rand_b 0x18C4DC0C0C07398F.
        var counter = ((UInt128)0xCC3 << 62) | 0x18C4DC0C0C07398F;

        var id = EventIds.Compose(0x017F22E279B0, counter);

        Assert.Equal("017f22e2-79b0-7cc3-98c4-dc0c0c07398f", id.ToString());
    }

    [Fact]
    public void Ids_made_in_one_millisecond_sort_in_the_order_they_were_made()
    {
        var sequence = new EventIds();
        var at = DateTimeOffset.UtcNow;

        var ids = Enumerable.Range(0, 10_000).Select(_ => sequence.Next(at).ToString()).ToList();

        Assert.Equal(ids, ids.Order(StringComparer.Ordinal));
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids.Select(Guid.Parse), g => Assert.Equal(7, g.Version));
        Assert.All(ids.Select(Guid.Parse), g => Assert.Equal(0b10, g.Variant >> 2));
    }

    [Fact]
    public void An_id_carries_its_millisecond_a_clock_a_little_behind_keeps_the_order_and_one_set_back_starts_again()
    {
        var sequence = new EventIds();
        var at = DateTimeOffset.UtcNow;
        var first = sequence.Next(at).ToString();
        var behind = sequence.Next(at.AddSeconds(-2)).ToString();
        var later = sequence.Next(at.AddMilliseconds(1)).ToString();
        var rewound = sequence.Next(at.AddMinutes(-1)).ToString();

        Assert.Equal(at.ToUnixTimeMilliseconds(), UnixMs(first));
        Assert.True(string.CompareOrdinal(first, behind) < 0, $"{first} then {behind}");
        Assert.Equal(at.ToUnixTimeMilliseconds(), UnixMs(behind));
        Assert.Equal(at.ToUnixTimeMilliseconds() + 1, UnixMs(later));
        Assert.Equal(at.AddMinutes(-1).ToUnixTimeMilliseconds(), UnixMs(rewound));
    }

    [Fact]
    public void Ids_from_many_threads_at_once_are_all_different()
    {
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();

        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 5_000; i++)
            {
                ids.Add(EventIds.New());
            }
        });

        Assert.Equal(40_000, ids.Distinct().Count());
    }

    private static long UnixMs(string id) => Convert.ToInt64(id.Replace("-", "", StringComparison.Ordinal)[..12], 16);
}
