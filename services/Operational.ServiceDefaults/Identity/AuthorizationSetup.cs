using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Operational.ServiceDefaults.Problems;

namespace Operational.ServiceDefaults.Identity;

/// <summary>Policy names. Each admits the named scope or <see cref="ApiScopes.Admin"/>.</summary>
public static class Policies
{
    public const string Ingest = "scope:ingest";
    public const string Read = "scope:read";
    public const string Admin = "scope:admin";

    /// <summary>The gateway handing a ping to the service owning checks (never a client: ping keys authenticate nothing else).</summary>
    public const string Ping = "scope:ping";

    /// <summary>The gateway asking the service owning checks for their statuses, to draw a badge.</summary>
    public const string Badge = "scope:badge";

    /// <summary>The whole installation: admin operators and admin keys of the project <c>default</c>.</summary>
    public const string InstallationAdmin = "installation-admin";
}

public static class AuthorizationSetup
{
    public static IServiceCollection AddOperationalAuthorization(this IServiceCollection services)
    {
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Ingest, policy => policy.AddRequirements(new ScopeRequirement(ApiScopes.Ingest)))
            .AddPolicy(Policies.Read, policy => policy.AddRequirements(new ScopeRequirement(ApiScopes.Read)))
            .AddPolicy(Policies.Admin, policy => policy.AddRequirements(new ScopeRequirement(ApiScopes.Admin)))
            .AddPolicy(Policies.Ping, policy => policy.RequireClaim(OperationalClaims.Scope, ApiScopes.Ping))
            .AddPolicy(Policies.Badge, policy => policy.RequireClaim(OperationalClaims.Scope, ApiScopes.Badge))
            .AddPolicy(Policies.InstallationAdmin, policy => policy.AddRequirements(new ScopeRequirement(ApiScopes.Admin)).RequireClaim(OperationalClaims.InstallationAdmin, "true"));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, ScopeRequirementHandler>());
        // Replaces the framework's handler, which answers 401/403 with an empty body.
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        return services;
    }
}

/// <summary>Met by a caller holding <see cref="Scope"/> or the admin scope.</summary>
public sealed class ScopeRequirement(string scope) : IAuthorizationRequirement
{
    public string Scope { get; } = scope;
}

internal sealed class ScopeRequirementHandler : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        if (context.User.HasClaim(OperationalClaims.Scope, requirement.Scope) ||
            context.User.HasClaim(OperationalClaims.Scope, ApiScopes.Admin))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// Turns authorization failures into problem+json that tells the caller what to do:
/// 401 says how to authenticate (and why the given credentials failed), 403 names the
/// scope the endpoint needs and the scopes the key has.
/// </summary>
internal sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged)
        {
            var authentication = await context.AuthenticateAsync();
            var reason = authentication.Failure?.Message
                ?? "This endpoint needs an API key: send it as 'Authorization: Bearer <key>'.";
            context.Response.Headers.WWWAuthenticate = authentication.Failure is null
                ? "Bearer realm=\"operational\""
                : "Bearer realm=\"operational\", error=\"invalid_token\"";
            await ApiProblems.WriteAsync(context, StatusCodes.Status401Unauthorized, "Authentication required.", reason);
            return;
        }

        if (authorizeResult.Forbidden)
        {
            var failed = authorizeResult.AuthorizationFailure?.FailedRequirements.ToList() ?? [];
            var needed = failed.OfType<ScopeRequirement>().Select(r => r.Scope).FirstOrDefault();
            var held = context.User.FindAll(OperationalClaims.Scope).Select(c => c.Value).ToArray();
            var detail = needed is not null
                ? $"This endpoint needs an API key with scope '{needed}' (or 'admin'); this key has {(held.Length == 0 ? "no scope" : "scope '" + string.Join("', '", held) + "'")}."
                : failed.OfType<Microsoft.AspNetCore.Authorization.Infrastructure.ClaimsAuthorizationRequirement>().Any(r => r.ClaimType == OperationalClaims.InstallationAdmin)
                    ? "Only admin operators and admin keys of the project 'default' administer the installation; this key's admin rights cover its own project (see /v1/keys)."
                    : "This API key is not allowed to do this.";
            await ApiProblems.WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden.", detail);
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
