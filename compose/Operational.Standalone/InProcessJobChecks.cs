using Microsoft.Extensions.DependencyInjection.Extensions;
using Operational.Contracts.Checks;
using Operational.Gateway.Pings;
using Operational.Rules.JobChecks;

namespace Operational.Standalone;

/// <summary>
/// In the standalone host the rules module lives in the same process, so the gateway reaches its
/// checks directly. The distributed gateway asks the rules service (<see cref="RulesApiJobChecks"/>).
/// </summary>
internal sealed class InProcessJobChecks(IServiceProvider services) : IJobChecks
{
    public async Task<CheckPingReceipt> PingAsync(CheckPing ping, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CheckService>().PingAsync(ping, cancellationToken);
    }

    public async Task<IReadOnlyList<CheckBadgeStatus>> StatusesAsync(string projectId, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CheckService>().BadgeStatusesAsync(projectId, cancellationToken);
    }
}

internal static class InProcessJobChecksRegistration
{
    public static IHostApplicationBuilder UseInProcessJobChecks(this IHostApplicationBuilder builder)
    {
        builder.Services.Replace(ServiceDescriptor.Singleton<IJobChecks, InProcessJobChecks>());
        return builder;
    }
}
