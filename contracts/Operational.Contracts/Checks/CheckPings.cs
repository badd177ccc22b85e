namespace Operational.Contracts.Checks;

/// <summary>What a ping says about a run, from the ping URL's suffix.</summary>
public static class PingSignals
{
    /// <summary>The job started (<c>/start</c>).</summary>
    public const string Start = "start";

    /// <summary>The job succeeded (no suffix, or exit status 0).</summary>
    public const string Success = "success";

    /// <summary>The job failed (<c>/fail</c>, or a non-zero exit status).</summary>
    public const string Fail = "fail";

    /// <summary>Output only; the check's status stays as it is (<c>/log</c>).</summary>
    public const string Log = "log";

    /// <summary>Every signal.</summary>
    public static readonly IReadOnlyList<string> All = [Start, Success, Fail, Log];
}

/// <summary>
/// A ping the gateway received, handed to the rules service (which owns checks) to find the check
/// and pair the ping with its run. Exactly one of <paramref name="PingId"/> and
/// (<paramref name="ProjectId"/>, <paramref name="Slug"/>) identifies the check.
/// </summary>
/// <param name="PingId">The check's ping UUID, from <c>/ping/{uuid}</c>.</param>
/// <param name="ProjectId">The project of the ping key, from <c>/ping/{pingKey}/{slug}</c>.</param>
/// <param name="Slug">The check's slug, from the same URL.</param>
/// <param name="Create">Create the check with defaults when the slug has none (<c>?create=1</c>).</param>
/// <param name="Signal">One of <see cref="PingSignals"/>.</param>
/// <param name="ExitStatus">The exit status the URL reported (<c>/{0-255}</c>), if it did.</param>
/// <param name="RunId">The client's run id (<c>?rid=</c>), pairing a start with its end.</param>
/// <param name="At">When the gateway received the ping.</param>
/// <param name="Output">The start of the request body, as text, kept with the run for alerts.</param>
public sealed record CheckPing(
    string? PingId,
    string? ProjectId,
    string? Slug,
    bool Create,
    string Signal,
    int? ExitStatus,
    string? RunId,
    DateTimeOffset At,
    string? Output);

/// <summary>The outcomes of <see cref="CheckPing"/>.</summary>
public static class PingOutcomes
{
    /// <summary>Recorded on an existing check.</summary>
    public const string Recorded = "recorded";

    /// <summary>Recorded, on a check the ping created (<c>?create=1</c>).</summary>
    public const string Created = "created";

    /// <summary>No such check (and none was to be created).</summary>
    public const string NotFound = "notFound";

    /// <summary>The project already has as many rules and checks as allowed: nothing was created.</summary>
    public const string TooMany = "tooMany";
}

/// <summary>
/// What the rules service made of a ping: the check it belongs to, and the run (the context of
/// the ping's event) it starts, continues or ends.
/// </summary>
/// <param name="Outcome">One of <see cref="PingOutcomes"/>; the other members are set when the ping was recorded.</param>
/// <param name="ProjectId">The check's project: the event's.</param>
/// <param name="CheckId">The check's id: the event's <c>check</c> tag.</param>
/// <param name="CheckName">The check's name: the event's name.</param>
/// <param name="RunId">The run's context id, or null for a log ping outside any run.</param>
/// <param name="RunStarts">The ping's event opens the run's context.</param>
/// <param name="RunEnds">The ping's event closes it.</param>
/// <param name="DurationMs">From the run's start to this ping, when the start was seen.</param>
public sealed record CheckPingReceipt(
    string Outcome,
    string? ProjectId = null,
    string? CheckId = null,
    string? CheckName = null,
    string? RunId = null,
    bool RunStarts = false,
    bool RunEnds = false,
    long? DurationMs = null);

/// <summary>A check's status as a badge shows it.</summary>
/// <param name="Slug">The check's slug: a badge names a check by it.</param>
/// <param name="Tags">The check's tags: a badge for a tag sums up the checks carrying it.</param>
/// <param name="Status">The check's status (<c>new</c>, <c>up</c>, <c>started</c>, <c>grace</c>, <c>down</c>, <c>paused</c>).</param>
public sealed record CheckBadgeStatus(string Slug, IReadOnlyList<string> Tags, string Status);

/// <summary>The project's checks, for badges.</summary>
/// <param name="Checks">Every check of the project.</param>
public sealed record CheckBadgeStatusList(IReadOnlyList<CheckBadgeStatus> Checks);
