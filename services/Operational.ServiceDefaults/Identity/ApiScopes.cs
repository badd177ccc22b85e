namespace Operational.ServiceDefaults.Identity;

/// <summary>What an API key may do. <see cref="Admin"/> includes the other two.</summary>
public static class ApiScopes
{
    /// <summary>Send events. Safe to ship inside a client app: it cannot read anything back.</summary>
    public const string Ingest = "ingest";

    /// <summary>Read events, contexts, alerts.</summary>
    public const string Read = "read";

    /// <summary>Everything, including managing projects, keys, rules and channels.</summary>
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Ingest, Read, Admin];

    public static bool IsKnown(string scope) => All.Contains(scope, StringComparer.Ordinal);
}
