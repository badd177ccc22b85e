using System.Globalization;
using System.Text.Json;
using Operational.Contracts.Events;

namespace Operational.ServiceDefaults.Matching;

/// <summary>
/// Conditions (a rule's, a saved metric's) compiled into checks that run in nanoseconds: the cheap
/// exact comparisons first, the JSON walks last. Test events match only when the conditions ask for
/// them; backfilled events never match unless compiled with <c>history: true</c> (a rule does not
/// alert on history; a metric measures it).
/// </summary>
public sealed class EventMatcher
{
    private readonly Func<IngestedEvent, bool>[] _checks;
    private readonly bool _includeTest;
    private readonly bool _history;

    private EventMatcher(Func<IngestedEvent, bool>[] checks, bool includeTest, bool history)
    {
        _checks = checks;
        _includeTest = includeTest;
        _history = history;
    }

    /// <summary>The checks of <paramref name="conditions"/> (checked by <see cref="EventConditionRules"/>).</summary>
    /// <param name="history">Backfilled events match too.</param>
    public static EventMatcher Compile(EventConditions? conditions, bool history = false)
    {
        var checks = new List<Func<IngestedEvent, bool>>();
        if (conditions is null)
        {
            return new EventMatcher([], includeTest: false, history);
        }

        if (conditions.Level is { } level)
        {
            checks.Add(e => e.Level == level);
        }

        if (conditions.Category is { } category)
        {
            checks.Add(e => e.Category == category);
        }

        if (conditions.UserId is { } userId)
        {
            checks.Add(e => e.UserId == userId);
        }

        switch (conditions.Name)
        {
            case { Exactly: { } exactly }:
                checks.Add(e => e.Name == exactly);
                break;
            case { Prefix: { } prefix }:
                checks.Add(e => e.Name.StartsWith(prefix, StringComparison.Ordinal));
                break;
            case { Contains: { } contains }:
                checks.Add(e => e.Name.Contains(contains, StringComparison.Ordinal));
                break;
        }

        foreach (var (key, expected) in conditions.Tags ?? new Dictionary<string, JsonElement>())
        {
            var value = expected.Clone();
            checks.Add(e => e.Tags is not null && e.Tags.TryGetValue(key, out var actual) && Same(actual, value));
        }

        foreach (var (path, expected) in conditions.Content ?? new Dictionary<string, JsonElement>())
        {
            var value = expected.Clone();
            var segments = path.Split('.');
            checks.Add(e => ContentAt(e, path, segments) is { } actual && Same(actual, value));
        }

        return new EventMatcher([.. checks], conditions.IncludeTest ?? false, history);
    }

    public bool Matches(IngestedEvent e)
    {
        if ((e.Backfilled && !_history) || (e.Test && !_includeTest))
        {
            return false;
        }

        foreach (var check in _checks)
        {
            if (!check(e))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The value of tag <paramref name="key"/> as text (numbers as written, booleans as true/false), or null when the event lacks it.</summary>
    public static string? TagText(IngestedEvent e, string key) =>
        e.Tags is not null && e.Tags.TryGetValue(key, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
            : null;

    /// <summary>Same JSON scalar: strings by ordinal, numbers by value, booleans by value.</summary>
    public static bool Same(JsonElement a, JsonElement b) => (a.ValueKind, b.ValueKind) switch
    {
        (JsonValueKind.String, JsonValueKind.String) => a.GetString() == b.GetString(),
        (JsonValueKind.Number, JsonValueKind.Number) => a.TryGetDecimal(out var x) && b.TryGetDecimal(out var y)
            ? x == y
            : double.Parse(a.GetRawText(), CultureInfo.InvariantCulture).Equals(double.Parse(b.GetRawText(), CultureInfo.InvariantCulture)),
        (JsonValueKind.True, JsonValueKind.True) or (JsonValueKind.False, JsonValueKind.False) => true,
        _ => false,
    };

    /// <summary>
    /// For JSON content, the value at the dotted path of object properties; for rows content, the
    /// content of the row whose label is the whole path.
    /// </summary>
    private static JsonElement? ContentAt(IngestedEvent e, string path, string[] segments)
    {
        if (e.Content is not { } content)
        {
            return null;
        }

        if (e.Type == EventTypes.Rows && content.ValueKind == JsonValueKind.Array)
        {
            foreach (var row in content.EnumerateArray())
            {
                if (row.ValueKind == JsonValueKind.Object &&
                    row.TryGetProperty("label", out var label) && label.ValueKind == JsonValueKind.String && label.GetString() == path &&
                    row.TryGetProperty("content", out var rowContent))
                {
                    return rowContent;
                }
            }

            return null;
        }

        var current = content;
        foreach (var segment in segments)
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(segment, out current))
            {
                return null;
            }
        }

        return current;
    }
}
