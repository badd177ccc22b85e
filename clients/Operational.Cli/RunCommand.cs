using System.CommandLine;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Operational.Client;

namespace Operational.Cli;

/// <summary>
/// <c>ops run &lt;name&gt; -- &lt;command&gt; [args…]</c>: runs the command as a context — a start event,
/// then success or failure with its exit status, duration and the last 10 KB of its output — while
/// its output streams to the terminal as usual. Its exit status is ops's. If the server cannot be
/// reached the command still runs; ops warns on stderr and adds at most a few seconds.
/// </summary>
internal static class RunCommand
{
    public const int KeptOutput = 10 * 1024;

    /// <summary>How long each of the two events may take to be sent: the job must not wait on the server.</summary>
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(2);

    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The job's name: its context's title" };
        var command = new Argument<string[]>("command") { Description = "The command and its arguments, after --", Arity = ArgumentArity.OneOrMore };
        var run = new Command("run", "Run a command as a context: start, then success or failure with exit status, duration and output");
        run.Arguments.Add(name);
        run.Arguments.Add(command);
        Connection.AddTo(run);
        run.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(name)!, parse.GetValue(command)!, Connection.Options(parse, SendTimeout), cancellationToken));
        return run;
    }

    private static async Task<int> RunAsync(string name, string[] command, OperationalClientOptions? options, CancellationToken cancellationToken)
    {
        await using var client = options is null ? null : new OperationalClient(options);
        var contextId = Guid.CreateVersion7().ToString();
        var warned = false;
        async Task SendAsync(OperationalEvent e)
        {
            if (client is null)
            {
                return;
            }

            var result = await client.SendAsync(e, waitForDelivery: true, cancellationToken);
            if (!result.Accepted && !warned)
            {
                warned = true;
                Console.Error.WriteLine($"ops: could not record '{name}' ({(result.Status == 0 ? result.Error : $"{result.Status} {result.Error}")}); the command runs regardless.");
            }
        }

        await SendAsync(new OperationalEvent(name) { ContextId = contextId, ContextStart = true, Category = "jobs", Avatar = "▶️" });
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
            await process.WaitForExitAsync(cancellationToken);
            await pumps;
            exitCode = process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Console.Error.WriteLine($"ops: cannot run '{command[0]}': {e.Message}");
            output.Append($"cannot run '{command[0]}': {e.Message}");
            exitCode = 127; // as a shell says for a command it cannot find
        }

        var took = (long)clock.Elapsed.TotalMilliseconds;
        await SendAsync(new OperationalEvent(exitCode == 0 ? $"{name} succeeded" : $"{name} failed")
        {
            ContextId = contextId,
            ContextEnd = true,
            Category = "jobs",
            Avatar = exitCode == 0 ? "✅" : "❌",
            Level = exitCode == 0 ? "success" : "error",
            Content = output.Text() is { Length: > 0 } text ? JsonValue.Create(text) : null,
            Tags = new Dictionary<string, JsonNode?> { ["exitStatus"] = exitCode, ["durationMs"] = took },
        });
        return exitCode;
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
