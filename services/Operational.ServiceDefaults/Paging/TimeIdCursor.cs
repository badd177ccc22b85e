using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Operational.ServiceDefaults.Paging;

/// <summary>
/// The text of a cursor into a list ordered by (time, id): base64url of <c>{ms}.{id}</c>, or
/// of <c>{prefix}{value}</c> for the other kinds a list may have. Opaque to clients, but
/// decoded strictly so that a mangled cursor is a 400, not a wrong page.
/// </summary>
public static class TimeIdCursor
{
    public const int MaxEncodedLength = 1024;

    public static string Encode(long timestampMs, string id) =>
        EncodeText(timestampMs.ToString(CultureInfo.InvariantCulture) + "." + id);

    public static string EncodeText(string text) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));

    /// <summary>The decoded text, or null when <paramref name="value"/> is not base64url UTF-8 of a sane length.</summary>
    public static string? DecodeText(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxEncodedLength)
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(value));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Parses the <c>{ms}.{id}</c> form of decoded text.</summary>
    public static bool TryParse(string text, out long timestampMs, out string id)
    {
        timestampMs = 0;
        id = "";
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == text.Length - 1 ||
            !long.TryParse(text.AsSpan(0, dot), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out timestampMs))
        {
            return false;
        }

        id = text[(dot + 1)..];
        return true;
    }

    /// <summary>Decodes a cursor this class encoded as (time, id); false for anything else.</summary>
    public static bool TryDecode(string? cursor, out long timestampMs, out string id)
    {
        timestampMs = 0;
        id = "";
        return DecodeText(cursor) is { } text && TryParse(text, out timestampMs, out id);
    }

    /// <summary>
    /// Stores fetch one item more than the limit to learn whether another page exists without a
    /// second query; this keeps the page and makes the cursor of its last item.
    /// </summary>
    public static (IReadOnlyList<T> Items, string? Next) Page<T>(IReadOnlyList<T> overfetched, int limit, Func<T, (DateTimeOffset Time, string Id)> position)
    {
        if (overfetched.Count <= limit)
        {
            return (overfetched, null);
        }

        var page = overfetched.Take(limit).ToList();
        var (time, id) = position(page[^1]);
        return (page, Encode(time.ToUnixTimeMilliseconds(), id));
    }
}
