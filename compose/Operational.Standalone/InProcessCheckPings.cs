using Microsoft.Extensions.DependencyInjection.Extensions;
using Operational.Contracts.Checks;
using Operational.Gateway.Pings;
using Operational.Rules.JobChecks;

namespace Operational.Standalone;

/// <summary>
/// In the standalone host the rules module lives in the same process, so the gateway hands a ping
/// to its checks directly. The distributed gateway posts it to the rules service
/// (<see cref="RulesApiCheckPingHandOver"/>).
/// </summary>
internal sealed class InProcessCheckPings(IServiceProvider services) : ICheckPingHandOver
{
    public async Task<CheckPingReceipt> HandOverAsync(CheckPing ping, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CheckService>().PingAsync(ping, cancellationToken);
    }
}

internal static class InProcessCheckPingsRegistration
{
    public static IHostApplicationBuilder UseInProcessCheckPings(this IHostApplicationBuilder builder)
    {
        builder.Services.Replace(ServiceDescriptor.Singleton<ICheckPingHandOver, InProcessCheckPings>());
        return builder;
    }
}
