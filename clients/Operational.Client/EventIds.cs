using System.Security.Cryptography;

namespace Operational.Ids;

/// <summary>
/// Event ids: UUIDv7 (RFC 9562) that also sort in the order this process made them. Events are
/// ordered by time, then id; a batch stamped with one receive time (or an SDK's sends within one
/// millisecond) would otherwise come back in random order, because v7's bits after the
/// millisecond are random — a context's end could show before its start.
/// </summary>
/// <remarks>
/// RFC 9562 §6.2, method 2 ("monotonic random"): within a millisecond the 74 random bits are one
/// counter, incremented by one; a new millisecond draws them afresh with the top bit clear, so the
/// counter cannot run out. A clock that steps back by less than <see cref="RewindTolerance"/> keeps
/// the last millisecond (order over exact time); further back, ids restart at the clock's time.
/// Compiled into the SDK and the gateway alike (one file, linked), so neither depends on the other.
/// </remarks>
internal sealed class EventIds
{
    public static readonly TimeSpan RewindTolerance = TimeSpan.FromSeconds(10);

    private const int CounterBits = 74;
    private static readonly UInt128 MaxCounter = (UInt128.One << CounterBits) - 1;
    private static readonly EventIds Process = new();
    private readonly Lock _gate = new();
    private long _lastMs = long.MinValue;
    private UInt128 _counter;

    /// <summary>A new id stamped with the current time.</summary>
    public static string New() => Process.Next(DateTimeOffset.UtcNow).ToString();

    /// <summary>A new id stamped with <paramref name="at"/> (or just after the last one made).</summary>
    public static string New(DateTimeOffset at) => Process.Next(at).ToString();

    /// <summary>The next id of this sequence; one sequence per process keeps its ids in order.</summary>
    internal Guid Next(DateTimeOffset at)
    {
        var ms = at.ToUnixTimeMilliseconds();
        lock (_gate)
        {
            if (ms > _lastMs || ms < _lastMs - (long)RewindTolerance.TotalMilliseconds)
            {
                _lastMs = ms;
                _counter = FreshCounter();
            }
            else if (_counter == MaxCounter)
            {
                _lastMs++;
                _counter = FreshCounter();
            }
            else
            {
                _counter++;
            }

            return Compose(_lastMs, _counter);
        }
    }

    /// <summary>The UUIDv7 of a millisecond and a 74-bit counter (rand_a: its top 12 bits, rand_b: the other 62).</summary>
    internal static Guid Compose(long unixMs, UInt128 counter)
    {
        Span<byte> bytes = stackalloc byte[16];
        var randA = (int)(counter >> 62) & 0xFFF;
        var randB = (ulong)(counter & ((UInt128.One << 62) - 1));
        for (var i = 0; i < 6; i++)
        {
            bytes[i] = (byte)(unixMs >> (8 * (5 - i)));
        }

        bytes[6] = (byte)(0x70 | (randA >> 8));
        bytes[7] = (byte)randA;
        bytes[8] = (byte)(0x80 | (int)(randB >> 56));
        for (var i = 9; i < 16; i++)
        {
            bytes[i] = (byte)(randB >> (8 * (15 - i)));
        }

        return new Guid(bytes, bigEndian: true);
    }

    private static UInt128 FreshCounter()
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        // 73 random bits: at least 2^73 increments before the counter could overflow within a millisecond.
        return new UInt128(BitConverter.ToUInt64(random), BitConverter.ToUInt64(random[8..])) & (MaxCounter >> 1);
    }
}
