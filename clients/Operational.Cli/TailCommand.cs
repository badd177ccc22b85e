using System.CommandLine;
using System.Text.Json;
using Operational.Client;

namespace Operational.Cli;

/// <summary>
/// <c>ops tail [--json] [--test]</c>: follows the live feed, one line per event — coloured by level
/// on a terminal, plain when piped, NDJSON with <c>--json</c> — resuming after the last event seen
/// when the connection drops. The key needs the read scope. Ctrl+C ends it.
/// </summary>
internal static class TailCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "One JSON object per line (NDJSON)" };
        var test = new Option<bool>("--test") { Description = "Follow the test events instead of the live ones" };
        var tail = new Command("tail", "Follow the live feed (needs a key with the read scope)");
        tail.Options.Add(json);
        tail.Options.Add(test);
        Connection.AddTo(tail);
        tail.SetAction(async (parse, cancellationToken) =>
        {
            if (Connection.Resolve(parse) is not { } endpoint)
            {
                return 2;
            }

            var color = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;
            await using var client = new OperationalClient(endpoint.ClientOptions(TimeSpan.FromSeconds(10)));
            try
            {
                await foreach (var e in client.StreamEventsAsync(parse.GetValue(test), cancellationToken))
                {
                    Console.WriteLine(parse.GetValue(json) ? JsonSerializer.Serialize(e, Json) : Line(e, color));
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            catch (OperationalReadException e)
            {
                Console.Error.WriteLine($"ops: {e.Message}");
                return 1;
            }

            return 0;
        });
        return tail;
    }

    /// <summary>"09:41:07 🎉 user signed up  #signups  plan=pro", the level as its colour.</summary>
    private static string Line(StoredEvent e, bool color)
    {
        var tags = e.Tags is { Count: > 0 } t ? "  " + string.Join(' ', t.Select(kv => $"{kv.Key}={kv.Value}")) : "";
        var text = $"{e.Timestamp.ToLocalTime():HH:mm:ss} {(e.Avatar is null ? "" : e.Avatar + " ")}{e.Name}{(e.Category is null ? "" : $"  #{e.Category}")}{tags}";
        if (!color)
        {
            return text;
        }

        var code = e.Level switch { "error" => "31", "warning" => "33", "success" => "32", _ => "0" };
        return $"\u001b[{code}m{text}\u001b[0m";
    }
}
