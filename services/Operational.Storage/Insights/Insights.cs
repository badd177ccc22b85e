using System.Globalization;
using System.Text.Json;
using Operational.ServiceDefaults.Validation;

namespace Operational.Storage.Insights;

/// <summary>A KPI of the project ("MRR", "active trials"): its latest value, and the values it had.</summary>
public sealed record InsightRecord(string ProjectId, string Title, JsonElement Value, string? Icon, DateTimeOffset UpdatedAt, IReadOnlyList<InsightPoint> History);

/// <summary>A value an insight had from <see cref="At"/> on.</summary>
public sealed record InsightPoint(DateTimeOffset At, JsonElement Value);

/// <summary>
/// The rules of insights, the same for every API and store: a title of 1–100 characters; a value
/// that is a number, a boolean or a string of at most 256 characters; an increment that adds to a
/// number (an insight that does not exist yet counts as 0) and is refused for text. Numbers are
/// added as decimals, so money does not drift; text that is a number ("100") counts as that number.
/// </summary>
public static class Insights
{
    public const int MaxTitleLength = 100;
    public const int MaxTextLength = 256;

    /// <summary>Values kept per insight for its history (the sparkline); older ones are dropped.</summary>
    public const int HistoryKept = 1000;

    public static void ValidateTitle(string? title, FieldErrors errors)
    {
        if (title is null || title.Trim().Length == 0 || title.Length > MaxTitleLength || title.Any(char.IsControl))
        {
            errors.Add("title", $"is required: 1–{MaxTitleLength} characters, no line breaks");
        }
    }

    public static void ValidateValue(JsonElement? value, FieldErrors errors)
    {
        switch (value?.ValueKind)
        {
            case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                return;
            case JsonValueKind.String when value.Value.GetString()!.Length <= MaxTextLength:
                return;
            default:
                errors.Add("value", $"is required: a number, a boolean, or text of at most {MaxTextLength} characters");
                return;
        }
    }

    /// <summary>An icon is one emoji (one grapheme); anything else is refused rather than shown wrong.</summary>
    public static void ValidateIcon(string? icon, FieldErrors errors)
    {
        if (icon is not null && (icon.Length is 0 or > 32 || new StringInfo(icon).LengthInTextElements != 1 || icon.Any(char.IsControl)))
        {
            errors.Add("icon", "must be a single emoji");
        }
    }

    /// <summary>The value after adding <paramref name="delta"/>; null with the reason when the insight holds something other than a number.</summary>
    public static JsonElement? Increment(JsonElement? current, decimal delta, FieldErrors errors)
    {
        decimal start;
        if (current is null)
        {
            start = 0;
        }
        else if (!(current.Value.ValueKind == JsonValueKind.Number && current.Value.TryGetDecimal(out start))
                 // LogSnag's own SDK tracks "100" as text and then increments it: numeric text counts as its number.
                 && !(current.Value.ValueKind == JsonValueKind.String
                      && decimal.TryParse(current.Value.GetString(), NumberStyles.Number, CultureInfo.InvariantCulture, out start)))
        {
            errors.Add("value", $"$inc needs a numeric insight; this one holds {Describe(current.Value)}");
            return null;
        }

        try
        {
            return JsonSerializer.SerializeToElement(start + delta);
        }
        catch (OverflowException)
        {
            errors.Add("value", "$inc would overflow");
            return null;
        }
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "text",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "a number too large to add to",
    };
}

/// <summary>The project's insights, kept by the store that keeps its events.</summary>
public interface IInsightStore
{
    /// <summary>Sets the insight's value (and its icon, when given), adding it to the history.</summary>
    Task<InsightRecord> SetInsightAsync(string projectId, string title, JsonElement value, string? icon, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Adds to a numeric insight atomically; null with the reason in <paramref name="errors"/>.</summary>
    Task<InsightRecord?> IncrementInsightAsync(string projectId, string title, decimal delta, string? icon, DateTimeOffset now, FieldErrors errors, CancellationToken cancellationToken);

    /// <summary>Every insight of the project by title, each with its latest <paramref name="historyPoints"/> values, oldest first.</summary>
    Task<IReadOnlyList<InsightRecord>> ListInsightsAsync(string projectId, int historyPoints, CancellationToken cancellationToken);
}
