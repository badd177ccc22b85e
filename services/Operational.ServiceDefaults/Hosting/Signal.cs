namespace Operational.ServiceDefaults.Hosting;

/// <summary>
/// Wakes whoever awaits <see cref="Next"/> when something happened in this process, so a
/// background loop need not wait for its next poll. Subclass it to give each signal its own
/// type in dependency injection.
/// </summary>
public abstract class Signal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next <see cref="Notify"/>.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Notify() =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
