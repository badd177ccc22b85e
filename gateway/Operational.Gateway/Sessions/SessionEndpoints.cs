using System.Buffers.Text;
using System.Security.Cryptography;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Operational.Gateway.Identity;
using Operational.Gateway.Operators;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;
using Operational.ServiceDefaults.Requests;
using Operational.ServiceDefaults.Validation;

namespace Operational.Gateway.Sessions;

public sealed record SignInRequest(string? Username, string? Password);

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

public sealed record SessionProject(string Id, string Name);

/// <summary>Who is signed in and which projects they can switch between.</summary>
public sealed record SessionResponse(OperatorResponse Operator, IReadOnlyList<SessionProject> Projects, DateTimeOffset ExpiresAt);

/// <summary>
/// <c>/v1/session</c>: sign in (sets the <c>op_session</c> cookie), who am I, change my
/// password, sign out. Only the dashboard uses these; apps use API keys.
/// </summary>
public static class SessionEndpoints
{
    public static IEndpointRouteBuilder MapSessions(this IEndpointRouteBuilder endpoints)
    {
        var session = endpoints.MapGroup("/v1/session").WithTags("Session");
        // Small caps: a username and a password, read before the sign-in throttle looks at the caller.
        session.MapPost("", SignInAsync).AllowAnonymous().WithName("SignIn").WithJsonBodyLimit(4 * 1024);
        session.MapGet("", GetAsync).WithName("GetSession");
        session.MapDelete("", SignOutAsync).WithName("SignOut");
        session.MapPut("/password", ChangePasswordAsync).WithName("ChangePassword").WithJsonBodyLimit(4 * 1024);
        return endpoints;
    }

    private static async Task<Results<Ok<SessionResponse>, ValidationProblem, ProblemHttpResult>> SignInAsync(
        HttpContext http,
        JsonBody<SignInRequest> body,
        IOperatorStore operators,
        IIdentityStore identity,
        OperatorPasswords passwords,
        SignInThrottle throttle,
        IOptions<OperatorSessionOptions> options,
        TimeProvider clock,
        CancellationToken ct)
    {
        var request = body.Value;
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(request.Username) || request.Username.Length > Usernames.MaxLength)
        {
            errors.Add("username", $"is required: 1 to {Usernames.MaxLength} characters");
        }

        if (string.IsNullOrEmpty(request.Password) || request.Password.Length > OperatorPasswords.MaxLength)
        {
            errors.Add("password", "is required");
        }

        if (!errors.IsEmpty)
        {
            return ApiProblems.Validation(errors);
        }

        if (!throttle.TryAcquire("address:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown")))
        {
            http.Response.Headers.RetryAfter = "60";
            return ApiProblems.Status(StatusCodes.Status429TooManyRequests, "Too many sign-in attempts.", "Wait a minute before trying again.");
        }

        var account = await operators.FindByUsernameAsync(Usernames.Normalize(request.Username!), ct);
        var (matches, rehashed) = passwords.Verify(account, request.Password!);
        if (!matches)
        {
            return ApiProblems.Status(StatusCodes.Status401Unauthorized, "Sign-in failed.", "Wrong username or password.");
        }

        if (rehashed is not null)
        {
            await operators.SetPasswordHashAsync(account!.Id, rehashed, keepSessionHash: null, ct);
        }

        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow();
        var session = new OperatorSession(ApiKeySecrets.Hash(token), account!.Id, now, now + options.Value.Lifetime);
        await operators.AddSessionAsync(session, ct);
        http.Response.Cookies.Append(SessionAuthenticationHandler.CookieName, token, new CookieOptions
        {
            HttpOnly = true,
            // Behind TLS the cookie never travels in clear; on plain http://localhost it must be allowed to.
            Secure = http.Request.IsHttps,
            SameSite = SameSiteMode.Strict,
            Path = "/",
            Expires = session.ExpiresAt,
            IsEssential = true,
        });
        return TypedResults.Ok(await DescribeAsync(account, session.ExpiresAt, identity, ct));
    }

    private static async Task<Results<Ok<SessionResponse>, ProblemHttpResult>> GetAsync(HttpContext http, IIdentityStore identity, CancellationToken ct) =>
        http.Features.Get<SignedIn>() is { } current
            ? TypedResults.Ok(await DescribeAsync(current.Operator, current.Session.ExpiresAt, identity, ct))
            : NotSignedIn();

    private static async Task<NoContent> SignOutAsync(HttpContext http, IOperatorStore operators, IMemoryCache cache, CancellationToken ct)
    {
        if (http.Request.Cookies[SessionAuthenticationHandler.CookieName] is { Length: > 0 and <= 256 } token)
        {
            var hash = ApiKeySecrets.Hash(token);
            await operators.DeleteSessionAsync(hash, ct);
            SessionAuthenticationHandler.Forget(cache, hash);
        }

        http.Response.Cookies.Delete(SessionAuthenticationHandler.CookieName, new CookieOptions { Path = "/", SameSite = SameSiteMode.Strict, Secure = http.Request.IsHttps, HttpOnly = true });
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ChangePasswordAsync(
        HttpContext http, JsonBody<ChangePasswordRequest> body, IOperatorStore operators, OperatorPasswords passwords, SignInThrottle throttle,
        SessionRevocations revocations, CancellationToken ct)
    {
        var request = body.Value;
        if (http.Features.Get<SignedIn>() is not { } current)
        {
            return NotSignedIn();
        }

        var (session, account) = current;
        // A stolen session must not get to guess the current password at speed either.
        if (!throttle.TryAcquire("password:" + account.Id))
        {
            http.Response.Headers.RetryAfter = "60";
            return ApiProblems.Status(StatusCodes.Status429TooManyRequests, "Too many password changes.", "Wait a minute before trying again.");
        }

        if (OperatorPasswords.Problem(request.NewPassword) is { } problem)
        {
            return ApiProblems.Validation("newPassword", problem);
        }

        if (!passwords.Verify(account, request.CurrentPassword ?? "").Matches)
        {
            return ApiProblems.Validation("currentPassword", "is not your current password");
        }

        // Other browsers signed in as this operator are signed out: that is why people change passwords.
        await operators.SetPasswordHashAsync(account.Id, passwords.Hash(request.NewPassword!), session.Hash, ct);
        revocations.EndAll(account.Id, except: session.Hash);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult NotSignedIn() =>
        ApiProblems.Status(StatusCodes.Status401Unauthorized, "Not signed in.", "Sign in with POST /v1/session; API keys have no session.");

    private static async Task<SessionResponse> DescribeAsync(Operator account, DateTimeOffset expiresAt, IIdentityStore identity, CancellationToken ct)
    {
        var projects = (await identity.ListProjectsAsync(ct))
            .Where(p => p.RevokedAt is null)
            .Select(p => new SessionProject(p.Id, p.Name))
            .ToList();
        return new SessionResponse(OperatorResponse.From(account), projects, expiresAt);
    }
}

/// <summary>Password attempts per minute (sign-ins per client address, password changes per operator), so passwords cannot be guessed at speed.</summary>
public sealed class SignInThrottle(IOptions<OperatorSessionOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.Value.SignInAttemptsPerMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));

    public bool TryAcquire(string partition)
    {
        using var lease = _limiter.AttemptAcquire(partition);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
