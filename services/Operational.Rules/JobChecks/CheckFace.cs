using System.Text.RegularExpressions;
using Operational.Rules.Definitions;
using Operational.ServiceDefaults.Validation;

namespace Operational.Rules.JobChecks;

/// <summary>
/// What makes a heartbeat rule a job check: the slug and ping id its ping URLs name, how short a
/// run may plausibly be, and how operators file it. Stored with the rule's definition; the
/// schedule, grace, maximum run time and channels are the heartbeat rule's own.
/// </summary>
/// <param name="Slug">Unique within the project: <c>a-z</c>, <c>0-9</c>, <c>-</c> and <c>_</c>, as Healthchecks allows.</param>
/// <param name="PingId">The check's UUID, in <c>/ping/{uuid}</c>: given at creation, never changed.</param>
public sealed partial record CheckFace(
    string Slug,
    string PingId,
    int? MinRunSeconds = null,
    IReadOnlyList<string>? Tags = null,
    string? Description = null)
{
    public const int MaxSlugLength = 100;
    public const int MaxTags = 20;
    public const int MaxTagLength = 64;
    public const int MaxDescriptionLength = 1000;

    public static bool IsSlug(string? slug) => slug is { Length: > 0 and <= MaxSlugLength } && SlugPattern().IsMatch(slug);

    /// <summary>"Database Backup" → "database-backup", as Healthchecks derives slugs from names.</summary>
    public static string SlugOf(string name)
    {
        var slug = NotSlug().Replace(name.Trim().ToLowerInvariant(), "-").Trim('-');
        return slug.Length > MaxSlugLength ? slug[..MaxSlugLength].TrimEnd('-') : slug;
    }

    public static void Validate(CheckFace face, FieldErrors errors)
    {
        if (!IsSlug(face.Slug))
        {
            errors.Add("slug", $"must be 1 to {MaxSlugLength} of a-z, 0-9, - and _ (e.g. \"database-backup\")");
        }

        if (!Guid.TryParseExact(face.PingId ?? "", "D", out _))
        {
            errors.Add("check.pingId", "must be a UUID");
        }

        if (face.MinRunSeconds is { } min && min is < 1 or > RuleValidator.MaxWindowSeconds)
        {
            errors.Add("minRunSeconds", $"must be from 1 to {RuleValidator.MaxWindowSeconds} seconds");
        }

        if (face.Tags is { } tags && (tags.Count > MaxTags || tags.Any(t => t is null || t.Length is 0 or > MaxTagLength || t.Any(char.IsWhiteSpace))))
        {
            errors.Add("tags", $"must be at most {MaxTags} tags of 1 to {MaxTagLength} characters without spaces");
        }

        if (face.Description is { Length: > MaxDescriptionLength })
        {
            errors.Add("description", $"must be at most {MaxDescriptionLength} characters");
        }
    }

    [GeneratedRegex("^[a-z0-9_-]+$")]
    private static partial Regex SlugPattern();

    [GeneratedRegex("[^a-z0-9_-]+")]
    private static partial Regex NotSlug();
}
