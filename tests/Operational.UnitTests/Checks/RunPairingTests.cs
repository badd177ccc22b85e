using Operational.Contracts.Checks;
using Operational.Rules.JobChecks;

namespace Operational.UnitTests.Checks;

public sealed class RunPairingTests
{
    private static readonly DateTimeOffset T0 = new(2027, 1, 1, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Start_opens_a_run_and_the_next_success_ends_it_with_its_duration()
    {
        var start = RunPairing.Decide("p", "c", Ping(PingSignals.Start, T0), null, () => "run-1");
        Assert.Equal(("run-1", true, false), (start.RunId, start.Starts, start.Ends));

        var end = RunPairing.Decide("p", "c", Ping(PingSignals.Success, T0.AddSeconds(12), output: "done"), start.Save, () => "unused");

        Assert.Equal(("run-1", false, true, 12_000L), (end.RunId, end.Starts, end.Ends, end.DurationMs));
        Assert.Equal((PingSignals.Success, "done"), (end.Save!.Outcome, end.Save.Output));
    }

    [Fact]
    public void An_end_without_a_start_is_a_run_of_its_own()
    {
        var step = RunPairing.Decide("p", "c", Ping(PingSignals.Fail, T0, exitStatus: 2), null, () => "run-1");

        Assert.Equal(("run-1", true, true, (long?)null), (step.RunId, step.Starts, step.Ends, step.DurationMs));
        Assert.Equal(2, step.Save!.ExitStatus);
    }

    [Fact]
    public void A_run_id_ends_its_own_run_even_once_ended()
    {
        var started = new CheckRun("c", "rid-1", "p", true, T0, null, null, null, null, null);

        var step = RunPairing.Decide("p", "c", Ping(PingSignals.Success, T0.AddSeconds(5), rid: "rid-1"), started, () => "unused");

        Assert.Equal(("rid-1", 5_000L), (step.RunId, step.DurationMs));
    }

    [Fact]
    public void Log_joins_the_open_run_and_changes_nothing()
    {
        var open = new CheckRun("c", "run-1", "p", false, T0, null, null, null, null, null);

        Assert.Equal(new RunStep("run-1", false, false, null, null), RunPairing.Decide("p", "c", Ping(PingSignals.Log, T0), open, () => "unused"));
        Assert.Equal(new RunStep(null, false, false, null, null), RunPairing.Decide("p", "c", Ping(PingSignals.Log, T0), null, () => "unused"));
    }

    [Fact]
    public void Output_kept_with_the_run_is_capped()
    {
        var step = RunPairing.Decide("p", "c", Ping(PingSignals.Fail, T0, output: new string('x', RunPairing.MaxKeptOutput + 10)), null, () => "r");

        Assert.Equal(RunPairing.MaxKeptOutput, step.Save!.Output!.Length);
    }

    private static CheckPing Ping(string signal, DateTimeOffset at, string? rid = null, int? exitStatus = null, string? output = null) =>
        new("00000000-0000-0000-0000-000000000001", null, null, false, signal, exitStatus, rid, at, output);
}
