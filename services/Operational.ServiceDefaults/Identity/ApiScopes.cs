namespace Operational.ServiceDefaults.Identity;

/// <summary>What an API key may do. <see cref="Admin"/> includes ingest and read; <see cref="Ping"/> and <see cref="Badge"/> are included by nothing and include nothing.</summary>
public static class ApiScopes
{
    /// <summary>Send events. Safe to ship inside a client app: it cannot read anything back.</summary>
    public const string Ingest = "ingest";

    /// <summary>Read events, contexts, alerts.</summary>
    public const string Read = "read";

    /// <summary>Everything, including managing projects, keys, rules and channels.</summary>
    public const string Admin = "admin";

    /// <summary>
    /// Only ping job checks by slug, the key being part of the ping URL (<c>/ping/{key}/{slug}</c>),
    /// as Healthchecks' ping key is: a URL ends up in crontabs and logs, so it can do nothing else.
    /// </summary>
    public const string Ping = "ping";

    /// <summary>
    /// Only show job checks' status badges (<c>/badge/{key}/{slug or tag}.svg</c>): the key sits in
    /// a README's image link for anyone to see, so it reveals statuses and nothing else.
    /// </summary>
    public const string Badge = "badge";

    /// <summary>Scopes that stand alone: their keys travel in URLs, so they can do nothing else.</summary>
    public static readonly IReadOnlyList<string> UrlScopes = [Ping, Badge];

    public static readonly IReadOnlyList<string> All = [Ingest, Read, Admin, Ping, Badge];

    public static bool IsKnown(string scope) => All.Contains(scope, StringComparer.Ordinal);
}
