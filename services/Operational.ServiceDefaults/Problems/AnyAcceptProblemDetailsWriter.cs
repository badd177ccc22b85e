using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Operational.ServiceDefaults.Problems;

/// <summary>
/// The framework's writer declines when the request's Accept header excludes JSON (an
/// EventSource asks for text/event-stream, a browser for text/html); the problem service then
/// throws or writes nothing. Registered after it, this one writes the problem+json anyway: an
/// error answer of a type the client did not ask for beats a 500 or an empty body.
/// </summary>
internal sealed class AnyAcceptProblemDetailsWriter(IOptions<JsonOptions> json) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context) =>
        new(context.HttpContext.Response.WriteAsJsonAsync(
            context.ProblemDetails,
            context.ProblemDetails.GetType(),
            json.Value.SerializerOptions,
            "application/problem+json",
            context.HttpContext.RequestAborted));
}
