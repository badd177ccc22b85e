namespace Operational.Gateway.Operators;

/// <summary>
/// A person who signs in to the dashboard. Operators belong to the installation, not to a
/// project: they see every live project. Admins manage (rules, channels, keys, projects,
/// operators); members read, act on events and turn push on for their devices.
/// </summary>
public sealed record Operator(string Id, string Username, string PasswordHash, string Role, DateTimeOffset CreatedAt);

public static class OperatorRoles
{
    public const string Admin = "admin";
    public const string Member = "member";

    public static readonly IReadOnlyList<string> All = [Admin, Member];
}

/// <summary>A signed-in browser: only the SHA-256 of its cookie is stored, so a stolen database opens no session.</summary>
public sealed record OperatorSession(string Hash, string OperatorId, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

/// <summary>Usernames are compared as typed in lowercase: "Ana" and "ana" are one operator.</summary>
public static class Usernames
{
    public const int MaxLength = 64;

    public static string Normalize(string username) => username.Trim().ToLowerInvariant();

    public static bool IsValid(string normalized) =>
        normalized.Length is > 0 and <= MaxLength &&
        normalized.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-' or '_' or '@');
}
