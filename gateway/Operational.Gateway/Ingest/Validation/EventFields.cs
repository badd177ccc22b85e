using System.Text;
using System.Text.Json;
using Operational.ServiceDefaults.Validation;

namespace Operational.Gateway.Ingest.Validation;

/// <summary>The checks every part of an event shares: reading fields, text, flags and URLs, naming what was wrong.</summary>
internal static class EventFields
{
    /// <summary>
    /// Runs <paramref name="read"/> over a body; a string escape such as "\ud800", which decodes to no
    /// valid character, is reported under <c>body</c> instead of thrown.
    /// </summary>
    public static T? Reading<T>(FieldErrors errors, Func<T?> read)
        where T : class
    {
        try
        {
            return read();
        }
        catch (InvalidOperationException e) when (e.InnerException is ArgumentException or DecoderFallbackException || e.Message.Contains("UTF-16", StringComparison.Ordinal))
        {
            errors.Add("body", "contains a string that is not valid Unicode (e.g. an unpaired surrogate escape)");
            return null;
        }
    }

    /// <summary>The fields of a JSON object by name; a field given twice is an error, a body that is not an object too.</summary>
    public static Dictionary<string, JsonElement>? Index(JsonElement body, FieldErrors errors)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors.Add("body", $"must be a JSON object describing the event, not {Describe(body.ValueKind)}");
            return null;
        }

        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in body.EnumerateObject())
        {
            if (!fields.TryAdd(property.Name, property.Value))
            {
                errors.Add(property.Name, "appears more than once");
            }
        }

        return fields;
    }

    /// <summary>The field's value, or null when it is absent or JSON null.</summary>
    public static JsonElement? Present(IReadOnlyDictionary<string, JsonElement> fields, string name) =>
        fields.TryGetValue(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public static string? Text(JsonElement value, string field, int maxLength, FieldErrors errors)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(field, $"must be a string, not {Describe(value.ValueKind)}");
            return null;
        }

        return CleanText(value.GetString()!, field, maxLength, errors);
    }

    /// <summary>Trimmed, non-empty, within <paramref name="maxLength"/>, without control characters.</summary>
    public static string? CleanText(string text, string field, int maxLength, FieldErrors errors)
    {
        text = text.Trim();
        if (text.Length == 0)
        {
            errors.Add(field, "must not be empty");
            return null;
        }

        if (text.Length > maxLength)
        {
            errors.Add(field, $"must be at most {maxLength} characters; it has {text.Length}");
            return null;
        }

        if (text.Any(char.IsControl))
        {
            errors.Add(field, "must not contain control characters such as line breaks or tabs");
            return null;
        }

        return text;
    }

    public static bool Flag(IReadOnlyDictionary<string, JsonElement> fields, string field, FieldErrors errors, string? parent = null)
    {
        switch (Present(fields, field)?.ValueKind)
        {
            case null or JsonValueKind.False:
                return false;
            case JsonValueKind.True:
                return true;
            case var other:
                errors.Add(parent is null ? field : $"{parent}.{field}", $"must be true or false, not {Describe(other.Value)}");
                return false;
        }
    }

    public static string? Url(JsonElement value, string field, int maxLength, FieldErrors errors)
    {
        var text = Text(value, field, maxLength, errors);
        if (text is not null && !(Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)))
        {
            errors.Add(field, "must be an absolute http or https URL");
            return null;
        }

        return text;
    }

    /// <summary>
    /// Whether a character (one text element) shows as something: not only format, combining or
    /// invisible characters, and no bidirectional controls, which would reorder the text around it
    /// (a lone U+202E makes the rest of the line read backwards).
    /// </summary>
    public static bool IsVisibleSymbol(string element)
    {
        var visible = false;
        foreach (var rune in element.EnumerateRunes())
        {
            if (rune.Value is >= 0x202A and <= 0x202E or >= 0x2066 and <= 0x2069 or 0x200E or 0x200F or 0x061C)
            {
                return false;
            }

            visible |= Rune.GetUnicodeCategory(rune) is not (System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.NonSpacingMark
                or System.Globalization.UnicodeCategory.EnclosingMark or System.Globalization.UnicodeCategory.SpaceSeparator or System.Globalization.UnicodeCategory.Control);
        }

        return visible;
    }

    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
