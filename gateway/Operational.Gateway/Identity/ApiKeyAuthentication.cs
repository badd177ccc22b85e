using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Operational.ServiceDefaults.Identity;

namespace Operational.Gateway.Identity;

public sealed class ApiKeyAuthenticationOptions : AuthenticationSchemeOptions
{
    /// <summary>
    /// How long a key lookup (found or not) is remembered. Bounds how long a revoked key
    /// keeps working on a replica, and spares the store one query per request.
    /// </summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary><c>Authorization: Bearer &lt;key&gt;</c> → the key's project and scopes.</summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<ApiKeyAuthenticationOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IIdentityStore store,
    IMemoryCache cache)
    : AuthenticationHandler<ApiKeyAuthenticationOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    private const string BearerPrefix = "Bearer ";

    /// <summary>Drops a cached lookup so a revocation takes effect on this replica at once (others within the cache duration).</summary>
    public static void Forget(IMemoryCache cache, string hash) => cache.Remove(CacheKey(hash));

    private static (string, string) CacheKey(string hash) => ("api-key", hash);

    /// <summary>The stored key this secret is (revoked or not), remembered for <paramref name="cacheFor"/>: the one lookup of keys, wherever a key arrives.</summary>
    public static Task<ApiKey?> FindAsync(string key, IIdentityStore store, IMemoryCache cache, TimeSpan cacheFor, CancellationToken cancellationToken)
    {
        var hash = ApiKeySecrets.Hash(key);
        return cache.GetOrCreateAsync(CacheKey(hash), entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = cacheFor;
            entry.Size = 1;
            return store.FindKeyByHashAsync(hash, cancellationToken);
        });
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("Send the API key as 'Authorization: Bearer <key>'.");
        }

        var key = header[BearerPrefix.Length..].Trim();
        if (key.Length == 0 || key.Length > 256)
        {
            return AuthenticateResult.Fail("The API key is missing after 'Bearer'.");
        }

        var apiKey = await FindAsync(key, store, cache, Options.CacheDuration, Context.RequestAborted);
        if (apiKey is null)
        {
            return AuthenticateResult.Fail("The API key is not valid.");
        }

        if (apiKey.RevokedAt is not null)
        {
            return AuthenticateResult.Fail("The API key has been revoked.");
        }

        var installationAdmin = apiKey.ProjectId == Project.DefaultId && apiKey.Scopes.Contains(ApiScopes.Admin);
        var principal = OperationalClaims.CreatePrincipal(new CallerIdentity(apiKey.ProjectId, apiKey.Id, apiKey.Scopes, installationAdmin), SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }
}
