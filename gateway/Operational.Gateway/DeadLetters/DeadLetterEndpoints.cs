using Microsoft.AspNetCore.Http.HttpResults;
using Operational.Contracts.Topology;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Bus;
using Operational.ServiceDefaults.Bus.DeadLetters;
using Operational.ServiceDefaults.Problems;

namespace Operational.Gateway.DeadLetters;

/// <summary>
/// The messages no consumer could take (poison), per consumer queue, and putting them back once
/// the cause is fixed (a new version deployed, say). For the installation's administrators: the
/// queues hold every project's events. RabbitMQ: the queues' <c>_error</c> queues; standalone:
/// <c>dead-letters.db</c>. A failing dependency (a full disk) never puts messages here — they wait
/// in their queue — so this stays empty unless something is wrong with a message or a consumer.
/// </summary>
public static class DeadLetterEndpoints
{
    public static IEndpointRouteBuilder MapDeadLetters(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/v1/dead-letters").RequireAuthorization(Policies.InstallationAdmin).WithTags("Dead letters");
        group.MapGet("", ListAsync).WithName("ListDeadLetters");
        group.MapPost("/replay", ReplayAsync).WithName("ReplayDeadLetters");
        return endpoints;
    }

    private static async Task<Results<Ok<DeadLetterListResponse>, ProblemHttpResult>> ListAsync(
        IDeadLetterQueues queues, ILogger<DeadLetterListResponse> logger, CancellationToken ct)
    {
        try
        {
            var list = await queues.ListAsync(ct);
            return TypedResults.Ok(new DeadLetterListResponse(list, list.Sum(q => q.Messages)));
        }
        catch (Exception e) when (DependencyFailures.IsOutage(e) || e is RabbitMQ.Client.Exceptions.BrokerUnreachableException)
        {
            return Unavailable(e, logger);
        }
    }

    private static async Task<Results<Ok<DeadLetterReplayResponse>, ValidationProblem, ProblemHttpResult>> ReplayAsync(
        string? queue, IDeadLetterQueues queues, ILogger<DeadLetterListResponse> logger, CancellationToken ct)
    {
        if (queue is not null && !ConsumerQueues.All.Contains(queue))
        {
            return ApiProblems.Validation("queue", $"must be one of {string.Join(", ", ConsumerQueues.All)}, or left out for all of them");
        }

        try
        {
            return TypedResults.Ok(new DeadLetterReplayResponse(await queues.ReplayAsync(queue, ct)));
        }
        catch (Exception e) when (DependencyFailures.IsOutage(e) || e is RabbitMQ.Client.Exceptions.BrokerUnreachableException)
        {
            return Unavailable(e, logger);
        }
    }

    private static ProblemHttpResult Unavailable(Exception e, ILogger logger)
    {
        logger.LogWarning("Dead letters cannot be read now: {Reason}", e.Message);
        return ApiProblems.Status(StatusCodes.Status503ServiceUnavailable, "Dead letters cannot be reached.", $"Their queue or database does not answer now: {e.Message}");
    }
}

/// <param name="Queues">Every consumer queue, with how many of its messages are dead letters.</param>
/// <param name="Total">All dead letters together.</param>
public sealed record DeadLetterListResponse(IReadOnlyList<DeadLetterQueue> Queues, long Total);

/// <param name="Replayed">Messages put back into their queue to be consumed again.</param>
public sealed record DeadLetterReplayResponse(long Replayed);
