using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Operational.ServiceDefaults.Identity;

/// <summary>
/// The identity the gateway attaches to a forwarded request: <c>v1.{payload}.{signature}</c>,
/// the payload being base64url JSON (project, key id, scopes, expiry) and the signature
/// HMAC-SHA256 over <c>v1.{payload}</c> with the shared internal secret. The secret itself
/// never travels, and a captured header stops working when it expires.
/// </summary>
public static class GatewayIdentityToken
{
    public const string HeaderName = "X-Operational-Identity";

    private const string Version = "v1";

    public static string Create(CallerIdentity caller, string secret, DateTimeOffset expiresAt)
    {
        var payload = new TokenPayload(caller.ProjectId, caller.KeyId, caller.Scopes.ToArray(), expiresAt.ToUnixTimeSeconds(), caller.InstallationAdmin ? true : null);
        var payloadPart = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(payload, PayloadJson));
        var signed = $"{Version}.{payloadPart}";
        return $"{signed}.{Sign(signed, secret)}";
    }

    /// <summary>Checks signature and expiry; <paramref name="error"/> says what was wrong.</summary>
    public static bool TryValidate(string? token, string secret, DateTimeOffset now, out CallerIdentity? caller, out string? error)
    {
        caller = null;
        if (string.IsNullOrEmpty(token))
        {
            error = "Requests to this service must come through the Operational gateway.";
            return false;
        }

        var parts = token.Split('.');
        if (parts.Length != 3 || parts[0] != Version)
        {
            error = "The forwarded identity is malformed.";
            return false;
        }

        var expected = Sign($"{parts[0]}.{parts[1]}", secret);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(parts[2])))
        {
            error = "The forwarded identity has an invalid signature: do the gateway and this service share InternalAuth:Secret?";
            return false;
        }

        TokenPayload? payload;
        try
        {
            payload = JsonSerializer.Deserialize<TokenPayload>(Base64Url.DecodeFromChars(parts[1]), PayloadJson);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            payload = null;
        }

        if (payload is null || string.IsNullOrEmpty(payload.P) || string.IsNullOrEmpty(payload.K) || payload.S is null)
        {
            error = "The forwarded identity is malformed.";
            return false;
        }

        if (DateTimeOffset.FromUnixTimeSeconds(payload.E) < now)
        {
            error = "The forwarded identity has expired: are the gateway's and this service's clocks in sync?";
            return false;
        }

        caller = new CallerIdentity(payload.P, payload.K, payload.S, payload.I == true);
        error = null;
        return true;
    }

    private static string Sign(string value, string secret)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(value));
        return Base64Url.EncodeToString(mac);
    }

    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    /// <param name="I">Installation admin; left out when false, so older services read the token unchanged.</param>
    private sealed record TokenPayload(string P, string K, string[] S, long E, bool? I = null);
}
