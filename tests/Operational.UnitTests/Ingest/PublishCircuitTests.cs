using Microsoft.Extensions.Time.Testing;
using Operational.Gateway.Ingest;

namespace Operational.UnitTests.Ingest;

public sealed class PublishCircuitTests
{
    private readonly FakeTimeProvider _clock = new();
    private readonly PublishCircuit _circuit;

    public PublishCircuitTests() => _circuit = new PublishCircuit(_clock, TimeSpan.FromSeconds(2));

    [Fact]
    public void Closed_circuit_lets_everything_through()
    {
        Assert.True(_circuit.TryEnter());
        Assert.True(_circuit.TryEnter());
        Assert.True(_circuit.WouldAdmit);
    }

    [Fact]
    public void After_a_failure_refuses_until_the_break_is_over_then_lets_one_probe()
    {
        _circuit.Failed();

        Assert.False(_circuit.TryEnter());
        Assert.False(_circuit.ShouldAttempt());
        Assert.False(_circuit.WouldAdmit);
        _clock.Advance(TimeSpan.FromSeconds(1.9));
        Assert.False(_circuit.TryEnter());

        _clock.Advance(TimeSpan.FromSeconds(0.2));
        // Past the break the circuit would let a request probe: ready, even if no request comes.
        Assert.True(_circuit.WouldAdmit);
        Assert.True(_circuit.TryEnter());  // the probe
        Assert.False(_circuit.TryEnter()); // others wait for its outcome
        Assert.True(_circuit.ShouldAttempt());
    }

    [Fact]
    public void Successful_probe_closes_failed_probe_reopens()
    {
        _circuit.Failed();
        _clock.Advance(TimeSpan.FromSeconds(3));
        Assert.True(_circuit.TryEnter());
        _circuit.Failed();
        Assert.False(_circuit.TryEnter());

        _clock.Advance(TimeSpan.FromSeconds(3));
        Assert.True(_circuit.TryEnter());
        _circuit.Succeeded();
        Assert.True(_circuit.WouldAdmit);
        Assert.True(_circuit.TryEnter());
    }
}
