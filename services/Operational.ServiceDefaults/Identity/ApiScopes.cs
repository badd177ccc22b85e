namespace Operational.ServiceDefaults.Identity;

/// <summary>What an API key may do. <see cref="Admin"/> includes ingest and read; <see cref="Ping"/> is included by nothing and includes nothing.</summary>
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

    public static readonly IReadOnlyList<string> All = [Ingest, Read, Admin, Ping];

    public static bool IsKnown(string scope) => All.Contains(scope, StringComparer.Ordinal);
}
