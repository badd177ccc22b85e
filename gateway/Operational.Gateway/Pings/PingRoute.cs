using System.Globalization;
using Operational.Contracts.Checks;

namespace Operational.Gateway.Pings;

/// <summary>
/// A ping URL read as Healthchecks defines them: <c>/ping/{uuid}</c> or <c>/ping/{pingKey}/{slug}</c>,
/// each optionally followed by <c>/start</c>, <c>/fail</c>, <c>/log</c> or an exit status
/// (<c>/0</c> succeeds, <c>/1</c>…<c>/255</c> fail).
/// </summary>
public sealed record PingRoute(string? PingId, string? PingKey, string? Slug, string Signal, int? ExitStatus)
{
    /// <summary>What a URL that is no ping URL gets: Healthchecks' own answers.</summary>
    public enum Error
    {
        /// <summary>404 <c>not found</c>: no route of the ping API (or no such check).</summary>
        NotFound,

        /// <summary>400 <c>invalid url format</c>: an exit status above 255.</summary>
        InvalidUrl,
    }

    /// <param name="rest">The path after <c>/ping/</c>.</param>
    public static PingRoute? Parse(string? rest, out Error error)
    {
        error = Error.NotFound;
        var segments = (rest ?? "").Split('/');
        if (segments.Length is 0 or > 3 || segments.Any(s => s.Length == 0))
        {
            return null;
        }

        if (IsUuid(segments[0]))
        {
            return segments.Length switch
            {
                1 => new PingRoute(segments[0].ToLowerInvariant(), null, null, PingSignals.Success, null),
                2 => WithSuffix(segments[0].ToLowerInvariant(), null, null, segments[1], out error),
                _ => null,
            };
        }

        return segments.Length switch
        {
            2 => new PingRoute(null, segments[0], segments[1], PingSignals.Success, null),
            3 => WithSuffix(null, segments[0], segments[1], segments[2], out error),
            _ => null,
        };
    }

    /// <summary>A UUID in its canonical text (hyphenated), as Healthchecks' routes and <c>rid</c> take it.</summary>
    public static bool IsUuid(string text) => text.Length == 36 && Guid.TryParseExact(text, "D", out _);

    private static PingRoute? WithSuffix(string? pingId, string? pingKey, string? slug, string suffix, out Error error)
    {
        error = Error.NotFound;
        switch (suffix)
        {
            case PingSignals.Start or PingSignals.Fail or PingSignals.Log:
                return new PingRoute(pingId, pingKey, slug, suffix, null);
            default:
                if (suffix.Length > 9 || !suffix.All(char.IsAsciiDigit))
                {
                    return null;
                }

                var status = int.Parse(suffix, CultureInfo.InvariantCulture);
                if (status > 255)
                {
                    error = Error.InvalidUrl;
                    return null;
                }

                return new PingRoute(pingId, pingKey, slug, status == 0 ? PingSignals.Success : PingSignals.Fail, status);
        }
    }
}
