using MassTransit;

namespace Operational.ServiceDefaults.Bus.DeadLetters;

/// <summary>Where a message goes that can never be consumed (poison), so that it is kept, seen and can be replayed.</summary>
public interface IDeadLetters
{
    /// <summary>Moves <paramref name="message"/>, received on its queue, to that queue's dead letters with the reason.</summary>
    Task MoveAsync<T>(ConsumeContext<T> message, Exception reason, CancellationToken cancellationToken)
        where T : class;
}

/// <summary>A queue's dead letters.</summary>
public sealed record DeadLetterQueue(string Queue, long Messages);

/// <summary>Lists the dead letters of every consumer queue and puts them back in their queue.</summary>
public interface IDeadLetterQueues
{
    Task<IReadOnlyList<DeadLetterQueue>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Moves the dead letters of <paramref name="queue"/> (of every queue when null) back to be consumed again; returns how many.</summary>
    Task<long> ReplayAsync(string? queue, CancellationToken cancellationToken);
}
