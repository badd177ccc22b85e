using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using Operational.Client;

namespace Operational.Cli;

/// <summary>
/// <c>ops run &lt;check-or-name&gt; [--timeout 1h] -- &lt;command&gt; [args…]</c>: runs the command and
/// records the run — as pings of a job check when the name is a check's UUID (or its slug, with a
/// ping key), else as a context: a start event, then success or failure with its exit status,
/// duration and the last 10 KB of its output — while its output streams to the terminal as usual.
/// Its exit status is ops's. If the server cannot be reached the command still runs; ops warns on
/// stderr and adds at most a few seconds.
/// </summary>
internal static partial class RunCommand
{
    public const int KeptOutput = 10 * 1024;

    /// <summary>What <c>timeout(1)</c> answers for a command it stopped.</summary>
    public const int TimedOut = 124;

    /// <summary>How long each of the two records may take to be sent: the job must not wait on the server.</summary>
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(2);

    public static Command Create()
    {
        var name = new Argument<string>("check-or-name") { Description = "A job check's UUID or slug (with a ping key), else the run's name: its context's title" };
        var command = new Argument<string[]>("command") { Description = "The command and its arguments, after --", Arity = ArgumentArity.OneOrMore };
        var timeout = new Option<string?>("--timeout") { Description = "Stop the command after this long (30s, 15m, 1h): it fails with status 124" };
        var run = new Command("run", "Run a command and record the run: start, then success or failure with exit status, duration and output");
        run.Arguments.Add(name);
        run.Arguments.Add(command);
        run.Options.Add(timeout);
        Connection.AddTo(run);
        run.SetAction((parse, cancellationToken) =>
        {
            TimeSpan? limit = null;
            if (parse.GetValue(timeout) is { } text)
            {
                if (!Durations.TryParse(text, out var parsed))
                {
                    Console.Error.WriteLine($"ops: --timeout {text}: write a duration (30s, 15m, 1h).");
                    return Task.FromResult(2);
                }

                limit = parsed;
            }

            return RunAsync(parse.GetValue(name)!, parse.GetValue(command)!, limit, Connection.Resolve(parse, keyRequired: false), cancellationToken);
        });
        return run;
    }

    private static async Task<int> RunAsync(string name, string[] command, TimeSpan? limit, Endpoint? endpoint, CancellationToken cancellationToken)
    {
        // Pings carry no key (the URL is the secret); only a context's events need one.
        await using var client = endpoint is null ? null : new OperationalClient(endpoint.ClientOptions(SendTimeout));
        var record = client is null ? null : await StartAsync(client, name, endpoint!, cancellationToken);
        var clock = Stopwatch.StartNew();
        var output = new OutputTail(KeptOutput);
        int exitCode;
        try
        {
            var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in command.Skip(1))
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var pumps = Task.WhenAll(
                PumpAsync(process.StandardOutput, Console.Out, output),
                PumpAsync(process.StandardError, Console.Error, output));
            using var timer = limit is { } l ? new CancellationTokenSource(l) : new CancellationTokenSource();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
            try
            {
                await process.WaitForExitAsync(stop.Token);
                exitCode = process.ExitCode;
            }
            catch (OperationCanceledException) when (timer.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
                var message = $"ops: stopped '{command[0]}' after {Durations.Show(limit!.Value)} (--timeout)";
                Console.Error.WriteLine(message);
                output.Append("\n" + message);
                exitCode = TimedOut;
            }

            await pumps;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Console.Error.WriteLine($"ops: cannot run '{command[0]}': {e.Message}");
            output.Append($"cannot run '{command[0]}': {e.Message}");
            exitCode = 127; // as a shell says for a command it cannot find
        }

        if (record is not null)
        {
            await record.EndAsync(exitCode, clock.Elapsed, output.Text());
        }

        return exitCode;
    }

    /// <summary>Records the start as the name says: a check by UUID, a check by slug, else a context.</summary>
    private static async Task<RunRecord?> StartAsync(OperationalClient client, string name, Endpoint endpoint, CancellationToken cancellationToken)
    {
        if (Guid.TryParse(name, out var checkId))
        {
            var byId = new CheckRun(name, (signal, text, rid) => client.PingAsync(checkId, signal, text, rid, CancellationToken.None));
            await byId.StartAsync();
            return byId;
        }

        if (endpoint.PingKey is { } pingKey && Slug().IsMatch(name))
        {
            var bySlug = new CheckRun(name, (signal, text, rid) => client.PingAsync(pingKey, name, signal, text, rid, CancellationToken.None));
            var started = await bySlug.StartAsync();
            if (!started.NotFound)
            {
                return bySlug;
            }

            Console.Error.WriteLine($"ops: the ping key's project has no check '{name}': recording the run as a context.");
        }

        if (endpoint.Key is null)
        {
            Console.Error.WriteLine("ops: no key (--key, OPERATIONAL_KEY or ops login): the run is not recorded.");
            return null;
        }

        var context = new ContextRun(client, name, cancellationToken);
        await context.StartAsync();
        return context;
    }

    [GeneratedRegex("^[a-z0-9_-]{1,100}$")]
    private static partial Regex Slug();

    /// <summary>How a run is recorded; warns once on stderr when it could not be.</summary>
    private abstract class RunRecord(string name)
    {
        private bool _warned;

        protected string Name { get; } = name;

        public abstract Task EndAsync(int exitCode, TimeSpan took, string output);

        protected void Warn(int status, string? error)
        {
            if (!_warned)
            {
                _warned = true;
                Console.Error.WriteLine($"ops: could not record '{Name}' ({(status == 0 ? error : $"{status} {error}")}); the command runs regardless.");
            }
        }
    }

    /// <summary>A job check's run: <c>/start</c>, then the exit status with the output, paired by a run id.</summary>
    private sealed class CheckRun(string name, Func<string?, string?, string, Task<PingResult>> ping) : RunRecord(name)
    {
        private readonly string _runId = Guid.NewGuid().ToString();

        public async Task<PingResult> StartAsync()
        {
            var result = await ping("start", null, _runId);
            if (!result.Recorded && !result.NotFound)
            {
                Warn(result.Status, result.Error);
            }
            else if (result.NotFound && Guid.TryParse(Name, out _))
            {
                Warn(result.Status, "no check has this UUID");
            }

            return result;
        }

        public override async Task EndAsync(int exitCode, TimeSpan took, string output)
        {
            var result = await ping(exitCode.ToString(CultureInfo.InvariantCulture), output, _runId);
            if (!result.Recorded)
            {
                Warn(result.Status, result.Error);
            }
        }
    }

    /// <summary>A context: a start event, then <c>&lt;name&gt; succeeded</c> or <c>&lt;name&gt; failed</c>.</summary>
    private sealed class ContextRun(OperationalClient client, string name, CancellationToken cancellationToken) : RunRecord(name)
    {
        private readonly string _contextId = Guid.CreateVersion7().ToString();

        public Task StartAsync() => SendAsync(new OperationalEvent(Name) { ContextId = _contextId, ContextStart = true, Category = "jobs", Avatar = "▶️" });

        public override Task EndAsync(int exitCode, TimeSpan took, string output) => SendAsync(new OperationalEvent(exitCode == 0 ? $"{Name} succeeded" : $"{Name} failed")
        {
            ContextId = _contextId,
            ContextEnd = true,
            Category = "jobs",
            Avatar = exitCode == 0 ? "✅" : "❌",
            Level = exitCode == 0 ? "success" : "error",
            Content = output.Length > 0 ? JsonValue.Create(output) : null,
            Tags = new Dictionary<string, JsonNode?> { ["exitStatus"] = exitCode, ["durationMs"] = (long)took.TotalMilliseconds },
        });

        private async Task SendAsync(OperationalEvent e)
        {
            var result = await client.SendAsync(e, waitForDelivery: true, cancellationToken);
            if (!result.Accepted)
            {
                Warn(result.Status, result.Error);
            }
        }
    }

    private static async Task PumpAsync(StreamReader from, TextWriter to, OutputTail tail)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await from.ReadAsync(buffer)) > 0)
        {
            await to.WriteAsync(buffer.AsMemory(0, read));
            await to.FlushAsync();
            tail.Append(new string(buffer, 0, read));
        }
    }

    /// <summary>The last characters of the command's combined output.</summary>
    private sealed class OutputTail(int keep)
    {
        private readonly StringBuilder _text = new();
        private readonly Lock _lock = new();

        public void Append(string text)
        {
            lock (_lock)
            {
                _text.Append(text);
                if (_text.Length > keep * 2)
                {
                    _text.Remove(0, _text.Length - keep);
                }
            }
        }

        public string Text()
        {
            lock (_lock)
            {
                return _text.Length <= keep ? _text.ToString() : _text.ToString(_text.Length - keep, keep);
            }
        }
    }
}
