using System.Security.Claims;

namespace Operational.ServiceDefaults.Identity;

public static class OperationalClaims
{
    public const string Project = "operational:project";
    public const string Scope = "operational:scope";
    public const string KeyId = "operational:key";

    /// <summary>Present when the caller administers the whole installation (see <see cref="CallerIdentity.InstallationAdmin"/>).</summary>
    public const string InstallationAdmin = "operational:installation-admin";

    public static ClaimsPrincipal CreatePrincipal(CallerIdentity caller, string authenticationType)
    {
        var claims = new List<Claim>
        {
            new(Project, caller.ProjectId),
            new(KeyId, caller.KeyId),
        };
        claims.AddRange(caller.Scopes.Select(scope => new Claim(Scope, scope)));
        if (caller.InstallationAdmin)
        {
            claims.Add(new Claim(InstallationAdmin, "true"));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType, KeyId, null));
    }

    /// <summary>
    /// The caller's project. Endpoints that call this are behind a scope policy, so a missing
    /// claim is a programming error, not a client error.
    /// </summary>
    public static string GetProjectId(this ClaimsPrincipal user) =>
        user.FindFirstValue(Project) ?? throw new InvalidOperationException("The caller has no project: is the endpoint missing its authorization policy?");

    public static CallerIdentity? ToCallerIdentity(this ClaimsPrincipal user)
    {
        var project = user.FindFirstValue(Project);
        var key = user.FindFirstValue(KeyId);
        if (project is null || key is null)
        {
            return null;
        }

        return new CallerIdentity(project, key, user.FindAll(Scope).Select(c => c.Value).ToArray(), user.HasClaim(InstallationAdmin, "true"));
    }
}

/// <summary>Who is calling: the project, the API key's id (never the key) and its scopes.</summary>
/// <param name="InstallationAdmin">
/// The caller administers the whole installation, not only its project: an admin operator, or an
/// admin key of the project <c>default</c>. The gateway decides it; services trust its signed token.
/// </param>
public sealed record CallerIdentity(string ProjectId, string KeyId, IReadOnlyList<string> Scopes, bool InstallationAdmin = false);
