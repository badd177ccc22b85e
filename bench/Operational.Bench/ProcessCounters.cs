using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace Operational.Bench;

/// <summary>
/// Sums a counter a process reports through System.Diagnostics.Metrics over a window, per tag set
/// (e.g. <c>operational.sqlite.commits</c> by database), read the way dotnet-counters reads it:
/// an EventPipe session with the runtime's metrics event source, one rate a second.
/// </summary>
internal sealed class ProcessCounters : IAsyncDisposable
{
    private readonly EventPipeSession _session;
    private readonly EventPipeEventSource _source;
    private readonly Task _reading;
    private readonly Dictionary<string, double> _sums = new(StringComparer.Ordinal);

    private ProcessCounters(int processId, string meter, string instrument)
    {
        var sessionId = Guid.NewGuid().ToString();
        var provider = new EventPipeProvider("System.Diagnostics.Metrics", EventLevel.Informational, keywords: 0x2,
            new Dictionary<string, string>
            {
                ["SessionId"] = sessionId,
                ["Metrics"] = meter,
                ["RefreshInterval"] = "1",
                ["MaxTimeSeries"] = "1000",
                ["MaxHistograms"] = "20",
            });
        _session = new DiagnosticsClient(processId).StartEventPipeSession([provider], requestRundown: false);
        _source = new EventPipeEventSource(_session.EventStream);
        _source.Dynamic.All += e =>
        {
            if (e.EventName == "CounterRateValuePublished"
                && (string)e.PayloadByName("sessionId") == sessionId
                && (string)e.PayloadByName("instrumentName") == instrument
                && double.TryParse((string)e.PayloadByName("rate"), NumberStyles.Float, CultureInfo.InvariantCulture, out var rate))
            {
                var tags = (string)e.PayloadByName("tags");
                lock (_sums)
                {
                    _sums[tags] = _sums.GetValueOrDefault(tags) + rate;
                }
            }
        };
        _reading = Task.Run(_source.Process);
    }

    public static ProcessCounters Start(int processId, string meter, string instrument) => new(processId, meter, instrument);

    /// <summary>Stops reading and returns the counter's total per tag set (e.g. "database=events") over the window.</summary>
    public async Task<IReadOnlyDictionary<string, double>> StopAsync()
    {
        await Task.Delay(1500); // the last second's rate
        await _session.StopAsync(CancellationToken.None);
        await _reading.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        lock (_sums)
        {
            return new Dictionary<string, double>(_sums);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _source.Dispose();
        _session.Dispose();
        await Task.CompletedTask;
    }
}
