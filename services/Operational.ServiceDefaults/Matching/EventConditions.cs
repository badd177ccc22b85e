using System.Text.Json;
using System.Text.Json.Serialization;
using Operational.Contracts.Events;
using Operational.ServiceDefaults.Validation;

namespace Operational.ServiceDefaults.Matching;

/// <summary>What an event must have to match; every condition given must hold. No condition: every event matches.</summary>
/// <param name="IncludeTest">Test events match too (by default they never do). Backfilled events never match.</param>
public sealed record EventConditions(
    TextCondition? Name,
    string? Category,
    string? Level,
    string? UserId,
    IReadOnlyDictionary<string, JsonElement>? Tags,
    IReadOnlyDictionary<string, JsonElement>? Content,
    bool? IncludeTest);

/// <summary>One of the three, compared case-sensitively.</summary>
public sealed record TextCondition(
    [property: JsonPropertyName("equals")] string? Exactly,
    string? Prefix,
    string? Contains);

/// <summary>The checks every holder of conditions (a rule, a saved metric) makes before compiling them.</summary>
public static class EventConditionRules
{
    /// <summary>Tag and content conditions each.</summary>
    public const int MaxConditions = 20;

    /// <summary>Adds what is wrong with <paramref name="conditions"/> under <paramref name="field"/> (e.g. <c>match</c>).</summary>
    public static void Check(EventConditions? conditions, FieldErrors errors, string field = "match")
    {
        if (conditions is null)
        {
            return;
        }

        if (conditions.Name is { } text)
        {
            var given = new[] { text.Exactly, text.Prefix, text.Contains }.Count(v => !string.IsNullOrEmpty(v));
            if (given != 1)
            {
                errors.Add($"{field}.name", "must have exactly one of equals, prefix, contains (non-empty)");
            }
        }

        if (conditions.Level is { } level && !EventLevels.All.Contains(level))
        {
            errors.Add($"{field}.level", $"must be one of {string.Join(", ", EventLevels.All)}");
        }

        Scalars(conditions.Tags, $"{field}.tags", errors);
        Scalars(conditions.Content, $"{field}.content", errors);
    }

    private static void Scalars(IReadOnlyDictionary<string, JsonElement>? values, string field, FieldErrors errors)
    {
        if (values is null)
        {
            return;
        }

        if (values.Count > MaxConditions)
        {
            errors.Add(field, $"may have at most {MaxConditions} entries");
        }

        foreach (var (key, value) in values)
        {
            if (string.IsNullOrWhiteSpace(key) || key.Length > 200)
            {
                errors.Add(field, "keys must be 1 to 200 characters");
            }
            else if (value.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False))
            {
                errors.Add($"{field}.{key}", "must be a string, number or boolean");
            }
        }
    }
}
