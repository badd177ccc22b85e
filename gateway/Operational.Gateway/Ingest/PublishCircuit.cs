namespace Operational.Gateway.Ingest;

/// <summary>
/// Remembers that the bus just failed so requests get 503 at once instead of each waiting
/// for the publish timeout. MassTransit reports a publish-only bus as healthy while its
/// broker is gone, so the publish outcome itself is the signal.
/// Closed → (a publish fails) → Open for the break duration → the next event becomes the
/// probe; while it is in flight others are refused → Closed if it succeeds, Open if not.
/// </summary>
internal sealed class PublishCircuit(TimeProvider clock, TimeSpan breakDuration)
{
    private readonly Lock _lock = new();
    private State _state = State.Closed;
    private DateTimeOffset _openUntil;

    private enum State
    {
        Closed,
        Open,
        Probing,
    }

    /// <summary>Whether a request arriving now would be let through (closed, or open but past its break).</summary>
    public bool WouldAdmit
    {
        get
        {
            lock (_lock)
            {
                return _state == State.Closed || (_state == State.Open && clock.GetUtcNow() >= _openUntil);
            }
        }
    }

    /// <summary>Whether an event may be queued now. After the break, the first caller becomes the probe.</summary>
    public bool TryEnter()
    {
        lock (_lock)
        {
            switch (_state)
            {
                case State.Closed:
                    return true;
                case State.Open when clock.GetUtcNow() >= _openUntil:
                    _state = State.Probing;
                    return true;
                default:
                    return false;
            }
        }
    }

    /// <summary>Whether a batch queued earlier should still be attempted.</summary>
    public bool ShouldAttempt()
    {
        lock (_lock)
        {
            return _state != State.Open;
        }
    }

    public void Succeeded()
    {
        lock (_lock)
        {
            _state = State.Closed;
        }
    }

    public void Failed()
    {
        lock (_lock)
        {
            _state = State.Open;
            _openUntil = clock.GetUtcNow() + breakDuration;
        }
    }
}
