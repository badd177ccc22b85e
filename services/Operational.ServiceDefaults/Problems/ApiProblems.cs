using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Operational.ServiceDefaults.Validation;

namespace Operational.ServiceDefaults.Problems;

/// <summary>The error answers of the public API, in one place so they read the same everywhere.</summary>
public static class ApiProblems
{
    /// <summary>400 naming the offending field(s): <c>errors: { "name": ["is required"] }</c>.</summary>
    public static ValidationProblem Validation(IDictionary<string, string[]> errors)
    {
        var summary = string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"));
        return TypedResults.ValidationProblem(errors, detail: summary, title: "The request is invalid.");
    }

    public static ValidationProblem Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static ValidationProblem Validation(FieldErrors errors) => Validation(errors.ToDictionary());

    public static ProblemHttpResult Status(int status, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title);

    public static ProblemHttpResult NotFound(string detail) =>
        Status(StatusCodes.Status404NotFound, "Not found.", detail);

    /// <summary>Writes a problem outside an endpoint (authentication handlers, middleware).</summary>
    public static async Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        var service = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await service.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }
}
