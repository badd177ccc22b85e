using System.Globalization;
using Operational.ServiceDefaults.Paging;

namespace Operational.Storage.Events;

/// <summary>
/// Where the next page starts. Usually a position in the newest-first order (timestamp, then
/// id, both descending); for a full-text search on SQLite, a storage position instead, because
/// search results come newest-stored first. Events that arrive while a client pages never shift
/// the pages it has not read yet, because the cursor names a position, not an offset. Opaque to
/// clients: base64url of <c>{ms}.{id}</c> or <c>p{position}</c>.
/// </summary>
public readonly record struct EventCursor(long TimestampMs, string Id, long? StoragePosition = null)
{
    public static EventCursor After(Operational.Contracts.Events.IngestedEvent last) => new(last.Timestamp.ToUnixTimeMilliseconds(), last.Id);

    public static EventCursor AfterPosition(long position) => new(0, "", position);

    public string Encode() => StoragePosition is { } position
        ? TimeIdCursor.EncodeText("p" + position.ToString(CultureInfo.InvariantCulture))
        : TimeIdCursor.Encode(TimestampMs, Id);

    public static bool TryDecode(string? value, out EventCursor cursor)
    {
        cursor = default;
        if (TimeIdCursor.DecodeText(value) is not { } text)
        {
            return false;
        }

        if (text.StartsWith('p'))
        {
            if (!long.TryParse(text.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var position))
            {
                return false;
            }

            cursor = AfterPosition(position);
            return true;
        }

        if (!TimeIdCursor.TryParse(text, out var ms, out var id))
        {
            return false;
        }

        cursor = new EventCursor(ms, id);
        return true;
    }
}
