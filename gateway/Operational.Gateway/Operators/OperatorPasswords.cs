using Microsoft.AspNetCore.Identity;

namespace Operational.Gateway.Operators;

/// <summary>ASP.NET Core Identity's password hasher (PBKDF2-HMAC-SHA512, salted, versioned) and the length rule.</summary>
public sealed class OperatorPasswords
{
    public const int MinLength = 10;
    public const int MaxLength = 256;

    private static readonly Operator Nobody = new("", "", "", OperatorRoles.Member, DateTimeOffset.UnixEpoch);

    private readonly PasswordHasher<Operator> _hasher = new();

    // Verifying against this when the username is unknown takes as long as a real check,
    // so answer times do not reveal which usernames exist.
    private readonly string _decoy;

    public OperatorPasswords() => _decoy = _hasher.HashPassword(Nobody, Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)));

    public static string? Problem(string? password) =>
        password is null || password.Length < MinLength || password.Length > MaxLength
            ? $"must be {MinLength} to {MaxLength} characters long"
            : null;

    public string Hash(string password) => _hasher.HashPassword(Nobody, password);

    /// <summary>Whether the password matches, and a fresh hash when the stored one uses outdated parameters.</summary>
    public (bool Matches, string? Rehashed) Verify(Operator? account, string password)
    {
        var result = _hasher.VerifyHashedPassword(Nobody, account?.PasswordHash ?? _decoy, password);
        if (account is null || result == PasswordVerificationResult.Failed)
        {
            return (false, null);
        }

        return (true, result == PasswordVerificationResult.SuccessRehashNeeded ? Hash(password) : null);
    }

    /// <summary>A password for generated accounts: 20 characters without look-alikes, about 110 bits.</summary>
    public static string Generate() =>
        System.Security.Cryptography.RandomNumberGenerator.GetString("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 20);
}
