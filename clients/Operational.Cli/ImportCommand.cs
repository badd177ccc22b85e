using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CsvHelper;
using Operational.Client;
using Spectre.Console;

namespace Operational.Cli;

/// <summary>
/// <c>ops import &lt;file&gt;</c>: loads events from NDJSON (one Events API body per line) or CSV (a
/// header row; known columns are fields, the others tags), in batches, with a progress bar. Each
/// event without an id gets one made from its line, so loading the same file again stores nothing
/// twice; a checkpoint next to the file lets an interrupted import go on where it stopped.
/// </summary>
internal static partial class ImportCommand
{
    private static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web)
    {
        // As the server: a misspelt field is an error, not silently lost data.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    /// <summary>Attempts in a row without progress before giving up (about three minutes).</summary>
    private const int MaxFailures = 10;

    private const int ShownErrors = 20;

    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "An .ndjson (.jsonl) or .csv file" };
        var format = new Option<string?>("--format") { Description = "ndjson or csv (default: by the file's extension)" };
        format.AcceptOnlyFromAmong("ndjson", "csv");
        var batchSize = new Option<int>("--batch-size") { Description = "Events per request, 1–1000", DefaultValueFactory = _ => 500 };
        var test = new Option<bool>("--test") { Description = "Import them as test events" };
        var restart = new Option<bool>("--restart") { Description = "Ignore the checkpoint of an earlier, interrupted import" };
        var import = new Command("import", "Load events from an NDJSON or CSV file (a key with ingest); resumable");
        import.Arguments.Add(file);
        foreach (var option in new Option[] { format, batchSize, test, restart })
        {
            import.Options.Add(option);
        }

        Connection.AddTo(import);
        import.SetAction(async (parse, cancellationToken) =>
        {
            var source = parse.GetValue(file)!;
            var size = parse.GetValue(batchSize);
            if (!source.Exists)
            {
                Console.Error.WriteLine($"ops: no file {source.FullName}.");
                return 2;
            }

            if (size is < 1 or > 1000)
            {
                Console.Error.WriteLine("ops: --batch-size must be from 1 to 1000.");
                return 2;
            }

            if (Connection.Resolve(parse) is not { } endpoint)
            {
                return 2;
            }

            var csv = (parse.GetValue(format) ?? (source.Extension.Equals(".csv", StringComparison.OrdinalIgnoreCase) ? "csv" : "ndjson")) == "csv";
            var import = new Import(source, csv, size, parse.GetValue(test), endpoint);
            if (!parse.GetValue(restart))
            {
                import.Resume();
            }

            var exitCode = Console.IsErrorRedirected
                ? await import.RunAsync(new LineProgress(source.Length).Report, cancellationToken)
                : await ShowingProgressAsync(import, source.Length, cancellationToken);
            if (import.Summary is not null)
            {
                Console.WriteLine(import.Summary);
            }

            return exitCode;
        });
        return import;
    }

    private static async Task<int> ShowingProgressAsync(Import import, long length, CancellationToken cancellationToken)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("importing", maxValue: Math.Max(length, 1));
                return await import.RunAsync((position, handled, rate) =>
                {
                    task.Value = position;
                    task.Description = $"{handled:N0} events, {rate:N0}/s";
                }, cancellationToken);
            });
    }

    /// <summary>The file's place and the counts, batch after batch.</summary>
    private sealed class Import(FileInfo source, bool csv, int batchSize, bool test, Endpoint endpoint)
    {
        private readonly string _checkpoint = source.FullName + ".ops-import";
        private long _resumeAfter;
        private long _accepted;
        private long _duplicate;
        private long _invalid;

        /// <summary>What was imported, once it is done; printed after the progress bar is gone.</summary>
        public string? Summary { get; private set; }

        public void Resume()
        {
            try
            {
                if (File.Exists(_checkpoint) && JsonNode.Parse(File.ReadAllText(_checkpoint)) is JsonObject saved
                    && (long?)saved["length"] == source.Length && (long?)saved["lastWrite"] == source.LastWriteTimeUtc.Ticks)
                {
                    _resumeAfter = (long?)saved["record"] ?? 0;
                    Console.Error.WriteLine($"ops: resuming after record {_resumeAfter:N0} (--restart to begin again).");
                }
            }
            catch (Exception e) when (e is IOException or JsonException or InvalidOperationException)
            {
                Console.Error.WriteLine($"ops: ignoring the checkpoint {_checkpoint}: {e.Message}");
            }
        }

        public async Task<int> RunAsync(Action<long, long, double> report, CancellationToken cancellationToken)
        {
            var clock = Stopwatch.StartNew();
            await using var client = new OperationalClient(endpoint.ClientOptions(TimeSpan.FromSeconds(60)));
            await using var stream = new FileStream(source.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var batch = new List<(long Record, OperationalEvent Event)>(batchSize);
            long last = 0;
            async Task<bool> SendAsync()
            {
                if (!await DeliverAsync(client, batch, cancellationToken))
                {
                    Console.Error.WriteLine($"ops: stopped after record {_resumeAfter:N0}. Run the same command again to go on from there.");
                    return false;
                }

                batch.Clear();
                Save(last);
                var handled = _accepted + _duplicate + _invalid;
                report(stream.Position, handled, handled / Math.Max(clock.Elapsed.TotalSeconds, 0.001));
                return true;
            }

            await foreach (var (record, e, error) in (csv ? ReadCsv(reader) : ReadNdjson(reader, cancellationToken)).WithCancellation(cancellationToken))
            {
                last = record;
                if (record <= _resumeAfter)
                {
                    continue;
                }

                if (error is not null)
                {
                    Invalid(record, error);
                }
                else
                {
                    batch.Add((record, test ? e! with { Test = true } : e!));
                }

                if (batch.Count == batchSize && !await SendAsync())
                {
                    return 1;
                }
            }

            if (!await SendAsync())
            {
                return 1;
            }

            var total = _accepted + _duplicate + _invalid;
            report(source.Length, total, total / Math.Max(clock.Elapsed.TotalSeconds, 0.001));
            File.Delete(_checkpoint);
            Summary = $"Imported {source.Name} in {Durations.Show(clock.Elapsed)}: {_accepted:N0} accepted, {_duplicate:N0} already there, {_invalid:N0} invalid.";
            return _invalid == 0 ? 0 : 1;
        }

        /// <summary>Sends the batch until every event in it is accepted, known or refused as invalid; false when the server stays away.</summary>
        private async Task<bool> DeliverAsync(OperationalClient client, List<(long Record, OperationalEvent Event)> batch, CancellationToken cancellationToken)
        {
            var pending = batch;
            var delay = TimeSpan.FromMilliseconds(500);
            for (var failures = 0; pending.Count > 0;)
            {
                var result = await client.SendBatchAsync(pending.Select(p => p.Event).ToList(), cancellationToken);
                if (result.Items.Count > 0)
                {
                    var unavailable = new List<(long, OperationalEvent)>();
                    foreach (var item in result.Items)
                    {
                        switch (item.Status)
                        {
                            case "accepted": _accepted++; break;
                            case "duplicate": _duplicate++; break;
                            case "invalid":
                                Invalid(pending[item.Index].Record, string.Join("; ", (item.Errors ?? new Dictionary<string, string[]>()).Select(f => $"{f.Key}: {string.Join(", ", f.Value)}")));
                                break;
                            default: unavailable.Add(pending[item.Index]); break;
                        }
                    }

                    failures = unavailable.Count < pending.Count ? 0 : failures + 1;
                    pending = unavailable;
                }
                else if (result.Status == 400)
                {
                    // No event of the batch was valid: the problem names each as events[i].field.
                    var reasons = InvalidItems(result.Error);
                    for (var i = 0; i < pending.Count; i++)
                    {
                        Invalid(pending[i].Record, reasons.TryGetValue(i, out var why) ? why : "refused (" + Api.Problem(result.Error ?? "") + ")");
                    }

                    return true;
                }
                else if (result.Status is 0 or 429 or >= 500)
                {
                    failures++;
                }
                else
                {
                    Console.Error.WriteLine($"ops: refused ({result.Status}): {Api.Problem(result.Error ?? "")}");
                    return false;
                }

                if (pending.Count == 0)
                {
                    break;
                }

                if (failures >= MaxFailures)
                {
                    Console.Error.WriteLine($"ops: the server did not take the events ({(result.Status == 0 ? result.Error : result.Status.ToString(CultureInfo.InvariantCulture))}).");
                    return false;
                }

                await Task.Delay(result.RetryAfter ?? delay, cancellationToken);
                delay = delay * 2 < MaxRetryDelay ? delay * 2 : MaxRetryDelay;
            }

            return true;
        }

        /// <summary>A 400's <c>errors</c> by event: <c>events[3].name</c> → 3 → "name: …".</summary>
        private static Dictionary<int, string> InvalidItems(string? problem)
        {
            var reasons = new Dictionary<int, string>();
            try
            {
                if (problem is not null && JsonNode.Parse(problem)?["errors"] is JsonObject errors)
                {
                    foreach (var (key, messages) in errors)
                    {
                        if (ItemField().Match(key) is { Success: true } item)
                        {
                            var index = int.Parse(item.Groups[1].Value, CultureInfo.InvariantCulture);
                            var text = $"{item.Groups[2].Value}: {string.Join(", ", messages?.AsArray().Select(m => (string?)m) ?? [])}";
                            reasons[index] = reasons.TryGetValue(index, out var earlier) ? earlier + "; " + text : text;
                        }
                    }
                }
            }
            catch (JsonException)
            {
            }

            return reasons;
        }

        private void Invalid(long record, string? why)
        {
            _invalid++;
            if (why is not null && _invalid <= ShownErrors)
            {
                Console.Error.WriteLine($"ops: record {record:N0}: {why}");
            }
            else if (why is not null && _invalid == ShownErrors + 1)
            {
                Console.Error.WriteLine("ops: more invalid records follow; only their count is kept.");
            }
        }

        private void Save(long record)
        {
            _resumeAfter = record;
            try
            {
                File.WriteAllText(_checkpoint, new JsonObject { ["record"] = record, ["length"] = source.Length, ["lastWrite"] = source.LastWriteTimeUtc.Ticks }.ToJsonString());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Resuming is a convenience: ids keep a rerun from storing anything twice anyway.
            }
        }

        private static async IAsyncEnumerable<(long Record, OperationalEvent? Event, string? Error)> ReadNdjson(StreamReader reader,
            [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            long record = 0;
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                record++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                OperationalEvent? e = null;
                string? error = null;
                try
                {
                    e = JsonSerializer.Deserialize<OperationalEvent>(line, Strict);
                }
                catch (JsonException x)
                {
                    error = Explain(x);
                }

                yield return e is null
                    ? (record, null, error ?? "not an event object")
                    : (record, e.Id is null ? e with { Id = IdFor(record, line) } : e, null);
            }
        }

        /// <summary>The serializer's words in the terms of the Events API.</summary>
        private static string Explain(JsonException e) => e.Message switch
        {
            var m when UnknownField().Match(m) is { Success: true } unknown => $"unknown field '{unknown.Groups[1].Value}'",
            var m when m.Contains("missing required properties", StringComparison.Ordinal) => "name: required",
            _ when e.Path is null or "$" => "not a JSON object with the Events API's fields",
            _ => $"{e.Path[2..]}: not a valid value of that field",
        };

        private static async IAsyncEnumerable<(long Record, OperationalEvent? Event, string? Error)> ReadCsv(StreamReader reader)
        {
            using var rows = new CsvReader(reader, CultureInfo.InvariantCulture, leaveOpen: true);
            if (!await rows.ReadAsync() || !rows.ReadHeader())
            {
                yield break;
            }

            var header = rows.HeaderRecord!;
            long record = 0;
            while (await rows.ReadAsync())
            {
                record++;
                var fields = header.Select((_, i) => rows.GetField(i) ?? "").ToArray();
                yield return CsvEvent(record, header, fields);
            }
        }

        /// <summary>Known columns become fields (name required); every other non-empty one a tag, numbers and booleans typed.</summary>
        private static (long, OperationalEvent?, string?) CsvEvent(long record, string[] header, string[] fields)
        {
            var e = new OperationalEvent("");
            var tags = new Dictionary<string, JsonNode?>();
            for (var i = 0; i < header.Length; i++)
            {
                var value = fields[i];
                if (value.Length == 0)
                {
                    continue;
                }

                switch (header[i].Trim().ToLowerInvariant())
                {
                    case "name": e = e with { Name = value }; break;
                    case "id": e = e with { Id = value }; break;
                    case "category" or "channel": e = e with { Category = value }; break;
                    case "avatar" or "icon": e = e with { Avatar = value }; break;
                    case "content" or "description": e = e with { Content = JsonValue.Create(value) }; break;
                    case "level": e = e with { Level = value }; break;
                    case "userid" or "user_id" or "user": e = e with { UserId = value }; break;
                    case "contextid" or "context_id" or "context": e = e with { ContextId = value }; break;
                    case "notify": e = e with { Notify = bool.TryParse(value, out var notify) && notify }; break;
                    case "timestamp" or "time":
                        if (!DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                        {
                            return (record, null, $"timestamp: '{value}' is not a date and time");
                        }

                        e = e with { Timestamp = at };
                        break;
                    default:
                        tags[header[i].Trim()] = long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole) ? whole
                            : double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number
                            : bool.TryParse(value, out var flag) ? flag
                            : value;
                        break;
                }
            }

            if (e.Name.Length == 0)
            {
                return (record, null, "name: empty (a CSV import needs a name column)");
            }

            e = e with { Tags = tags.Count == 0 ? null : tags };
            return (record, e.Id is null ? e with { Id = IdFor(record, string.Join('\u001f', fields)) } : e, null);
        }

        /// <summary>The same line of the same file always gets the same id: importing it again stores nothing twice.</summary>
        private static string IdFor(long record, string text)
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{record}\n{text}"));
            return "import-" + Convert.ToHexStringLower(hash.AsSpan(0, 16));
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^events\[(\d+)\]\.(.+)$")]
    private static partial System.Text.RegularExpressions.Regex ItemField();

    [System.Text.RegularExpressions.GeneratedRegex("The JSON property '([^']*)' could not be mapped")]
    private static partial System.Text.RegularExpressions.Regex UnknownField();

    /// <summary>Progress when stderr is not a terminal: a line every two seconds.</summary>
    private sealed class LineProgress(long length)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private TimeSpan _last = TimeSpan.Zero;

        public void Report(long position, long handled, double rate)
        {
            if (_clock.Elapsed - _last < TimeSpan.FromSeconds(2) || position >= length)
            {
                return;
            }

            _last = _clock.Elapsed;
            var done = (double)position / Math.Max(length, 1);
            var left = done > 0 ? TimeSpan.FromSeconds(_clock.Elapsed.TotalSeconds * (1 - done) / done) : TimeSpan.Zero;
            Console.Error.WriteLine($"ops import: {handled:N0} events ({rate:N0}/s), {done:P0}, about {Durations.Show(left)} left");
        }
    }
}
