using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Operational.ServiceDefaults.Problems;

public static class ProblemDetailsSetup
{
    /// <summary>
    /// Every error answer is RFC 9457 problem+json carrying the trace id, including the
    /// ones the framework produces itself (unknown route, wrong method, body too large).
    /// </summary>
    public static IServiceCollection AddOperationalProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var traceId = Activity.Current?.Id ?? context.HttpContext.TraceIdentifier;
            context.ProblemDetails.Extensions["traceId"] = traceId;
            context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
        });

        // After AddProblemDetails' own writer, so it is only the fallback.
        services.AddSingleton<IProblemDetailsWriter, AnyAcceptProblemDetailsWriter>();

        services.Configure<ExceptionHandlerOptions>(options =>
        {
            // Kestrel raises these for client mistakes (oversized or truncated bodies); they are
            // the client's fault and must not be reported as 500.
            options.StatusCodeSelector = exception => exception switch
            {
                BadHttpRequestException bad => bad.StatusCode,
                OperationCanceledException => StatusCodes.Status499ClientClosedRequest,
                _ => StatusCodes.Status500InternalServerError,
            };
            // A client that went away or sent a broken request is not a fault of the server: no error log for it.
            options.SuppressDiagnosticsCallback = context =>
                context.Exception is BadHttpRequestException || (context.Exception is OperationCanceledException && context.HttpContext.RequestAborted.IsCancellationRequested);
        });

        return services;
    }
}
