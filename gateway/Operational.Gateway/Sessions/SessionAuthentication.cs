using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Operational.Gateway.Identity;
using Operational.Gateway.Operators;
using Operational.ServiceDefaults.Identity;

namespace Operational.Gateway.Sessions;

/// <summary>Claims a session adds to the caller's identity, beyond project and scopes.</summary>
public static class OperatorClaims
{
    public const string OperatorId = "operational:operator";
    public const string Role = "operational:role";
}

/// <summary>The session that authenticated this request, set by <see cref="SessionAuthenticationHandler"/>.</summary>
public sealed record SignedIn(OperatorSession Session, Operator Operator);

/// <summary>
/// The dashboard's sign-in: an <c>op_session</c> cookie holding a random token whose SHA-256
/// is stored with the operator's id. Server-side sessions (rather than a self-contained
/// encrypted cookie) end the moment an operator signs out or is deleted, and need no key
/// ring shared between gateway replicas. The project comes from the
/// <c>X-Operational-Project</c> header (or <c>?project=</c>, for EventSource, which cannot
/// set headers); admins get the admin scope, members the read scope.
/// </summary>
internal sealed class SessionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOperatorStore operators,
    IIdentityStore identity,
    IMemoryCache cache,
    IOptions<OperatorSessionOptions> sessions,
    SessionRevocations revocations,
    TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Session";
    public const string CookieName = "op_session";
    public const string ProjectHeader = "X-Operational-Project";

    /// <summary>API keys and sessions on every endpoint: a request with an Authorization header or without a session cookie is an API call.</summary>
    public const string SelectorScheme = "ApiKeyOrSession";

    public static void Forget(IMemoryCache cache, string hash) => cache.Remove(CacheKey(hash));

    private static (string, string) CacheKey(string hash) => ("session", hash);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = Request.Cookies[CookieName];
        if (string.IsNullOrEmpty(token) || token.Length > 256)
        {
            return AuthenticateResult.NoResult();
        }

        var hash = ApiKeySecrets.Hash(token);
        var found = await cache.GetOrCreateAsync(CacheKey(hash), entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = sessions.Value.CacheDuration;
            entry.Size = 1;
            return operators.FindSessionAsync(hash, Context.RequestAborted);
        });
        if (found is not var (session, account) || session.ExpiresAt <= clock.GetUtcNow() || revocations.Ended(session))
        {
            return AuthenticateResult.Fail("Your session has ended; sign in again.");
        }

        // A cross-site page can make the browser send the cookie, but not a custom header:
        // requiring the header on every change is the CSRF defence (besides SameSite=Strict).
        var projectHeader = Request.Headers[ProjectHeader].ToString();
        if (!HttpMethods.IsGet(Request.Method) && !HttpMethods.IsHead(Request.Method) && projectHeader.Length == 0)
        {
            return AuthenticateResult.Fail($"A signed-in change must carry the {ProjectHeader} header (the dashboard sends it).");
        }

        var projectId = projectHeader.Length > 0 ? projectHeader : Request.Query["project"].ToString();
        if (projectId.Length == 0)
        {
            projectId = Project.DefaultId;
        }

        var project = await cache.GetOrCreateAsync(("project", projectId), entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = sessions.Value.CacheDuration;
            entry.Size = 1;
            return Project.IsValidId(projectId) ? identity.GetProjectAsync(projectId, Context.RequestAborted) : Task.FromResult<Project?>(null);
        });
        if (project is null || project.RevokedAt is not null)
        {
            return AuthenticateResult.Fail($"There is no live project '{projectId}'.");
        }

        var scopes = account.Role == OperatorRoles.Admin ? new[] { ApiScopes.Admin } : [ApiScopes.Read];
        var principal = OperationalClaims.CreatePrincipal(
            new CallerIdentity(project.Id, "operator:" + account.Username, scopes, InstallationAdmin: account.Role == OperatorRoles.Admin), SchemeName);
        ((ClaimsIdentity)principal.Identity!).AddClaims(
        [
            new Claim(OperatorClaims.OperatorId, account.Id),
            new Claim(OperatorClaims.Role, account.Role),
        ]);
        // The session endpoints answer from this lookup rather than repeating it.
        Context.Features.Set(new SignedIn(session, account));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }
}
