using System.Globalization;
using System.Security;
using Operational.Contracts.Checks;

namespace Operational.Gateway.Badges;

/// <summary>
/// A status badge for a README, as Healthchecks draws them: <c>up</c>, <c>late</c> (a ping is due
/// and within grace) or <c>down</c>, for one check (by slug) or every check with a tag (the worst
/// of them).
/// </summary>
public static class CheckBadge
{
    public const string Up = "up";
    public const string Late = "late";
    public const string Down = "down";

    /// <summary>The badge's state for <paramref name="name"/> (a slug first, then a tag); null when nothing has that name.</summary>
    public static string? StateOf(IReadOnlyList<CheckBadgeStatus> checks, string name)
    {
        var chosen = checks.Where(c => c.Slug == name).ToList();
        if (chosen.Count == 0)
        {
            chosen = [.. checks.Where(c => c.Tags.Contains(name, StringComparer.Ordinal))];
        }

        if (chosen.Count == 0)
        {
            return null;
        }

        return chosen.Any(c => c.Status == "down") ? Down : chosen.Any(c => c.Status == "grace") ? Late : Up;
    }

    /// <summary>A flat two-part badge: the name on grey, the state on its colour. Text is escaped; widths are estimated (Verdana 11 px).</summary>
    public static string Svg(string label, string state)
    {
        var color = state switch { Down => "#e05d44", Late => "#fe7d37", _ => "#4c1" };
        var left = Width(label);
        var right = Width(state);
        var total = left + right;
        var text = SecurityElement.Escape(label);
        string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
        return $"""
            <svg xmlns="http://www.w3.org/2000/svg" width="{N(total)}" height="20" role="img" aria-label="{text}: {state}">
            <title>{text}: {state}</title>
            <linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>
            <clipPath id="r"><rect width="{N(total)}" height="20" rx="3" fill="#fff"/></clipPath>
            <g clip-path="url(#r)"><rect width="{N(left)}" height="20" fill="#555"/><rect x="{N(left)}" width="{N(right)}" height="20" fill="{color}"/><rect width="{N(total)}" height="20" fill="url(#s)"/></g>
            <g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">
            <text x="{N(left / 2)}" y="15" fill="#010101" fill-opacity=".3">{text}</text><text x="{N(left / 2)}" y="14">{text}</text>
            <text x="{N(left + right / 2)}" y="15" fill="#010101" fill-opacity=".3">{state}</text><text x="{N(left + right / 2)}" y="14">{state}</text>
            </g>
            </svg>
            """;
    }

    private static double Width(string text) => Math.Round(text.Sum(c => char.IsUpper(c) || c is 'm' or 'w' or 'M' or 'W' ? 8.5 : c is 'i' or 'l' or 'j' or '.' or '-' or '_' ? 4.0 : 7.0) + 12, 1);
}
