using System.Security.Cryptography;
using System.Text;

namespace Operational.Gateway.Identity;

/// <summary>A project: the unit of data isolation. Every event and key belongs to exactly one.</summary>
public sealed record Project(string Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt = null)
{
    /// <summary>
    /// The project created on the first start of an empty installation. Its admin keys
    /// administer the installation: they create, list and revoke projects.
    /// </summary>
    public const string DefaultId = "default";

    public const int MaxIdLength = 64;

    public const int MaxNameLength = 128;

    /// <summary>Project ids appear in URLs and storage keys: lowercase letters, digits and '-', starting with a letter or digit.</summary>
    public static bool IsValidId(string id) =>
        id.Length is > 0 and <= MaxIdLength && char.IsAsciiLetterOrDigit(id[0]) &&
        id.All(c => char.IsAsciiDigit(c) || char.IsAsciiLetterLower(c) || c == '-');
}

/// <summary>
/// An API key as stored: never the key itself, only its SHA-256 and a short prefix that
/// lets people recognise it in lists. Keys are long random strings, so a fast hash is
/// enough (as GitHub does for its tokens); there is nothing to brute-force.
/// </summary>
public sealed record ApiKey(
    string Id,
    string ProjectId,
    string Name,
    string Prefix,
    string Hash,
    IReadOnlyList<string> Scopes,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt = null);

/// <summary>Generates and hashes API keys.</summary>
public static class ApiKeySecrets
{
    /// <summary>Keys chosen by operators (Bootstrap settings) must be at least this long.</summary>
    public const int MinimumLength = 24;

    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const int RandomLength = 32;

    /// <summary>
    /// <c>op_{scope}_{32 base62 characters}</c>, about 190 random bits. The scope in the
    /// prefix lets people see at a glance whether a key may be shipped in a client app.
    /// </summary>
    public static string Generate(string scope) =>
        $"op_{scope}_{RandomNumberGenerator.GetString(Alphabet, RandomLength)}";

    public static string Hash(string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>What lists show of a key: enough to recognise it, far too little to use it.</summary>
    public static string PrefixOf(string key) => key.Length <= 12 ? key[..Math.Min(4, key.Length)] : key[..12];

    public static ApiKey Describe(string key, string projectId, string name, IReadOnlyList<string> scopes, DateTimeOffset now) =>
        new(Guid.CreateVersion7().ToString(), projectId, name, PrefixOf(key), Hash(key), scopes, now);
}
