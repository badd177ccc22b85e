using System.Buffers.Text;
using System.Globalization;
using System.Text;

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

    public string Encode() => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
        StoragePosition is { } position
            ? "p" + position.ToString(CultureInfo.InvariantCulture)
            : TimestampMs.ToString(CultureInfo.InvariantCulture) + "." + Id));

    public static bool TryDecode(string? value, out EventCursor cursor)
    {
        cursor = default;
        if (string.IsNullOrEmpty(value) || value.Length > 1024)
        {
            return false;
        }

        string text;
        try
        {
            text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(value));
        }
        catch (FormatException)
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

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == text.Length - 1 ||
            !long.TryParse(text.AsSpan(0, dot), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ms))
        {
            return false;
        }

        cursor = new EventCursor(ms, text[(dot + 1)..]);
        return true;
    }
}
