using System.Diagnostics;
using System.Globalization;

namespace Operational.Bench;

/// <summary>
/// CPU time each process of a run used during a window, per event handled, and how busy the
/// machine was: on two shared cores this says where the time went, and whether a result was
/// bound by CPU or by waiting.
/// </summary>
internal sealed class CpuMeter
{
    private readonly (string Name, Func<TimeSpan> Cpu)[] _processes;
    private readonly TimeSpan[] _start;
    private readonly (long Busy, long Total) _machineStart;

    private CpuMeter((string Name, Func<TimeSpan> Cpu)[] processes)
    {
        _processes = processes;
        _start = processes.Select(p => p.Cpu()).ToArray();
        _machineStart = Machine();
    }

    public static CpuMeter Start(params (string Name, Func<TimeSpan> Cpu)[] processes) => new(processes);

    /// <summary>E.g. "gateway 52 µs, storage 51 µs, RabbitMQ 19 µs of CPU per event; machine 96% busy".</summary>
    public string Stop(long events)
    {
        var (perEvent, machine) = StopParts(events);
        return $"{perEvent} of CPU per event; {machine}";
    }

    /// <summary>("gateway 52 µs, storage 51 µs", "machine 96% busy").</summary>
    public (string PerEvent, string Machine) StopParts(long events)
    {
        var (busy, total) = Machine();
        var perEvent = _processes.Select((p, i) =>
            $"{p.Name} {((p.Cpu() - _start[i]).TotalMicroseconds / Math.Max(events, 1)).ToString("0", CultureInfo.InvariantCulture)} µs");
        var machine = total > _machineStart.Total ? 100.0 * (busy - _machineStart.Busy) / (total - _machineStart.Total) : double.NaN;
        return (string.Join(", ", perEvent), $"machine {machine.ToString("0", CultureInfo.InvariantCulture)}% busy");
    }

    /// <summary>A process's CPU time so far (user and system).</summary>
    public static Func<TimeSpan> Of(int processId)
    {
        var process = Process.GetProcessById(processId);
        return () =>
        {
            process.Refresh();
            return process.TotalProcessorTime;
        };
    }

    /// <summary>Busy and total jiffies of all cores, from the first line of /proc/stat.</summary>
    private static (long Busy, long Total) Machine()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var total = fields.Take(8).Sum(); // user nice system idle iowait irq softirq steal
        var idle = fields[3] + fields[4];
        return (total - idle, total);
    }
}
