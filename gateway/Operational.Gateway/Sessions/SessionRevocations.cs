using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Operational.Gateway.Operators;

namespace Operational.Gateway.Sessions;

/// <summary>
/// Sessions this gateway ended (an operator removed, a password changed), remembered for as long
/// as a cached session lookup may still be served (<c>Sessions:CacheDuration</c>): on the gateway
/// that ended them they stop at once; other replicas drop them within the cache duration.
/// </summary>
public sealed class SessionRevocations(IMemoryCache cache, IOptions<OperatorSessionOptions> options, TimeProvider clock)
{
    /// <summary>Ends every session of the operator started until now, but <paramref name="except"/> (the hash of the one that asked).</summary>
    public void EndAll(string operatorId, string? except = null) =>
        cache.Set(Key(operatorId), new Revocation(clock.GetUtcNow(), except), new MemoryCacheEntryOptions
        {
            AbsoluteExpirationRelativeToNow = options.Value.CacheDuration + TimeSpan.FromSeconds(1),
            Size = 1,
        });

    public bool Ended(OperatorSession session) =>
        cache.TryGetValue(Key(session.OperatorId), out Revocation? revocation) && revocation is not null
        && session.Hash != revocation.Except && session.CreatedAt <= revocation.At;

    private static (string, string) Key(string operatorId) => ("sessions-ended", operatorId);

    private sealed record Revocation(DateTimeOffset At, string? Except);
}
