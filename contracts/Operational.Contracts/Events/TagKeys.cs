namespace Operational.Contracts.Events;

/// <summary>
/// What a tag's key may be: the one rule for events' tags and for every API that names a tag (a
/// metric's field and group, a rule's statistic), so whatever can be sent can be asked for.
/// </summary>
public static class TagKeys
{
    /// <summary>The longest key, in characters.</summary>
    public const int MaxLength = 64;

    /// <summary>The rule in words, for error messages.</summary>
    public const string Described = "1–64 of A–Z a–z 0–9 - _ .";

    /// <summary>Whether <paramref name="key"/> may name a tag.</summary>
    public static bool IsValid(string? key) =>
        key is { Length: > 0 and <= MaxLength } && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
