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

    /// <summary>
    /// Runs <paramref name="work"/> now, then again whenever this signal is set or
    /// <paramref name="interval"/> passed, until <paramref name="stoppingToken"/> is cancelled. A
    /// failing run is reported to <paramref name="onFailure"/> and tried again later: the work
    /// must leave nothing half done that a later run cannot finish.
    /// </summary>
    public async Task LoopAsync(
        Func<CancellationToken, Task> work, TimeSpan interval, TimeProvider clock, Action<Exception> onFailure, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var wake = Next;
            try
            {
                await work(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                onFailure(e);
            }

            await Task.WhenAny(wake, Task.Delay(interval, clock, stoppingToken));
        }
    }
}
