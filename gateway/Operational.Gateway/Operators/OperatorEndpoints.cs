using Microsoft.AspNetCore.Http.HttpResults;
using Operational.Gateway.Projects;
using Operational.Gateway.Sessions;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;
using Operational.ServiceDefaults.Requests;
using Operational.ServiceDefaults.Validation;

namespace Operational.Gateway.Operators;

public sealed record OperatorResponse(string Id, string Username, string Role, DateTimeOffset CreatedAt)
{
    public static OperatorResponse From(Operator o) => new(o.Id, o.Username, o.Role, o.CreatedAt);
}

public sealed record OperatorListResponse(IReadOnlyList<OperatorResponse> Operators);

public sealed record CreateOperatorRequest(string? Username, string? Password, string? Role);

/// <summary>
/// <c>/v1/operators</c>: the people who may sign in to the dashboard. Installation admins only
/// (admin operators, or admin keys of the project <c>default</c>), like <c>/v1/projects</c>.
/// </summary>
public static class OperatorEndpoints
{
    public static IEndpointRouteBuilder MapOperators(this IEndpointRouteBuilder endpoints)
    {
        var operators = endpoints.MapGroup("/v1/operators")
            .RequireAuthorization(Policies.InstallationAdmin)
            .WithTags("Operators");
        operators.MapGet("", ListAsync).WithName("ListOperators");
        operators.MapPost("", CreateAsync).WithName("CreateOperator").WithJsonBodyLimit(4 * 1024);
        operators.MapDelete("/{operatorId}", DeleteAsync).WithName("DeleteOperator");
        return endpoints;
    }

    private static async Task<Ok<OperatorListResponse>> ListAsync(IOperatorStore store, CancellationToken ct) =>
        TypedResults.Ok(new OperatorListResponse((await store.ListOperatorsAsync(ct)).Select(OperatorResponse.From).ToList()));

    private static async Task<Results<Created<OperatorResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        JsonBody<CreateOperatorRequest> body, IOperatorStore store, OperatorPasswords passwords, TimeProvider clock, CancellationToken ct)
    {
        var request = body.Value;
        var errors = new FieldErrors();
        var username = Usernames.Normalize(request.Username ?? "");
        if (!Usernames.IsValid(username))
        {
            errors.Add("username", $"is required: 1 to {Usernames.MaxLength} letters, digits, '.', '-', '_' or '@' (compared in lowercase)");
        }

        if (OperatorPasswords.Problem(request.Password) is { } problem)
        {
            errors.Add("password", problem);
        }

        var role = request.Role ?? OperatorRoles.Member;
        if (!OperatorRoles.All.Contains(role))
        {
            errors.Add("role", $"must be one of {string.Join(", ", OperatorRoles.All)}");
        }

        if (!errors.IsEmpty)
        {
            return ApiProblems.Validation(errors);
        }

        var now = clock.GetUtcNow();
        var account = new Operator("op_" + Guid.CreateVersion7(now).ToString("N"), username, passwords.Hash(request.Password!), role, now);
        if (!await store.TryAddOperatorAsync(account, ct))
        {
            return ApiProblems.Status(StatusCodes.Status409Conflict, "Username taken.", $"An operator named '{username}' exists already.");
        }

        return TypedResults.Created($"/v1/operators/{account.Id}", OperatorResponse.From(account));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        HttpContext http, string operatorId, IOperatorStore store, SessionRevocations revocations, CancellationToken ct)
    {
        var all = await store.ListOperatorsAsync(ct);
        var account = all.FirstOrDefault(o => o.Id == operatorId);
        if (account is null)
        {
            return ApiProblems.NotFound($"No operator with id '{operatorId}'.");
        }

        if (http.User.FindFirst(OperatorClaims.OperatorId)?.Value == operatorId)
        {
            return ApiProblems.Status(StatusCodes.Status409Conflict, "Cannot delete yourself.", "Ask another admin to delete your account.");
        }

        if (account.Role == OperatorRoles.Admin && all.Count(o => o.Role == OperatorRoles.Admin) == 1)
        {
            return ApiProblems.Status(StatusCodes.Status409Conflict, "Last admin.", "The installation needs at least one admin operator.");
        }

        await store.DeleteOperatorAsync(operatorId, ct);
        // At once here; other replicas forget their cached lookups within Sessions:CacheDuration.
        revocations.EndAll(operatorId);
        return TypedResults.NoContent();
    }
}
