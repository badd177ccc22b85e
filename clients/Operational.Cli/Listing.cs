using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Operational.Cli;

/// <summary>A column of a listing: its header and how to show a row's value (markup-free text).</summary>
internal sealed record Column(string Header, Func<JsonNode, string?> Value, Func<string, string?>? Colour = null, bool Wrap = true);

/// <summary>
/// The listing commands' output: a table on a terminal, tab-separated lines with a header when piped
/// (for cut, awk, sort), the API's JSON with <c>--json</c>. Pages are followed up to <c>--limit</c>.
/// </summary>
internal static class Listing
{
    public static readonly Option<bool> Json = new("--json") { Description = "The API's JSON instead of a table" };

    public static readonly Option<int> Limit = new("--limit") { Description = "At most this many (default 50)", DefaultValueFactory = _ => 50 };

    /// <summary>Indented, and emoji and "+" as themselves rather than \u escapes: this is for people and jq.</summary>
    public static readonly JsonSerializerOptions Readable = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void AddTo(Command command, bool paged = true)
    {
        if (paged)
        {
            command.Options.Add(Limit);
        }

        command.Options.Add(Json);
        Connection.AddTo(command);
    }

    /// <summary>Reads <paramref name="path"/> (with its query), page after page, and shows the <paramref name="items"/> array.</summary>
    public static async Task<int> ShowAsync(ParseResult parse, string path, IEnumerable<(string Name, string? Value)> query, string items,
        IReadOnlyList<Column> columns, CancellationToken cancellationToken)
    {
        if (Connection.Resolve(parse) is not { } endpoint)
        {
            return 2;
        }

        var limit = parse.GetResult(Limit) is null ? int.MaxValue : parse.GetValue(Limit);
        if (limit < 1)
        {
            Console.Error.WriteLine("ops: --limit must be at least 1.");
            return 2;
        }

        var rows = new JsonArray();
        using var api = new Api(endpoint);
        try
        {
            string? cursor = null;
            do
            {
                var parameters = query.Where(q => q.Value is not null).Select(q => $"{q.Name}={Uri.EscapeDataString(q.Value!)}").ToList();
                if (limit != int.MaxValue)
                {
                    parameters.Add($"limit={Math.Min(limit - rows.Count, 200)}");
                }

                if (cursor is not null)
                {
                    parameters.Add($"cursor={Uri.EscapeDataString(cursor)}");
                }

                var page = await api.GetAsync(parameters.Count == 0 ? path : $"{path}?{string.Join('&', parameters)}", cancellationToken);
                foreach (var row in page[items]?.AsArray().ToList() ?? [])
                {
                    rows.Add(row?.DeepClone());
                }

                cursor = (string?)page["nextCursor"];
            }
            while (cursor is not null && rows.Count < limit);
        }
        catch (ApiException e)
        {
            Console.Error.WriteLine($"ops: {e.Message}");
            return 1;
        }

        Write(parse.GetValue(Json), rows, columns);
        return 0;
    }

    public static void Write(bool json, JsonArray rows, IReadOnlyList<Column> columns)
    {
        if (json)
        {
            Console.WriteLine(rows.ToJsonString(Readable));
            return;
        }

        var cells = rows.OfType<JsonNode>().Select(row => columns.Select(c => c.Value(row) ?? "").ToList()).ToList();
        if (Console.IsOutputRedirected)
        {
            Console.WriteLine(string.Join('\t', columns.Select(c => c.Header)));
            foreach (var line in cells)
            {
                Console.WriteLine(string.Join('\t', line.Select(v => v.ReplaceLineEndings(" ").Replace('\t', ' '))));
            }

            return;
        }

        if (cells.Count == 0)
        {
            Console.WriteLine("(none)");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in columns)
        {
            var header = new TableColumn($"[bold]{Markup.Escape(column.Header)}[/]");
            table.AddColumn(column.Wrap ? header : header.NoWrap());
        }

        foreach (var line in cells)
        {
            table.AddRow(line.Select((value, i) =>
            {
                var text = Markup.Escape(value.ReplaceLineEndings(" "));
                return (IRenderable)new Markup(columns[i].Colour?.Invoke(value) is { } colour ? $"[{colour}]{text}[/]" : text);
            }).ToArray());
        }

        AnsiConsole.Write(table);
    }

    /// <summary>An API timestamp as local time, "2026-11-30 09:41:07".</summary>
    public static string? Time(JsonNode? value) =>
        value is not null && DateTimeOffset.TryParse((string?)value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
            : null;

    /// <summary><c>--since 2h</c> as the API's <c>from</c>: that long ago, or a date as written.</summary>
    public static bool TrySince(string? since, out string? from)
    {
        from = null;
        if (since is null)
        {
            return true;
        }

        if (Durations.TryParse(since, out var ago))
        {
            from = DateTimeOffset.UtcNow.Subtract(ago).ToString("O", CultureInfo.InvariantCulture);
            return true;
        }

        if (DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var at))
        {
            from = at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
            return true;
        }

        Console.Error.WriteLine($"ops: --since {since}: write a duration (15m, 2h, 7d) or a date (2026-11-30T08:00).");
        return false;
    }

    public static Option<string?> Since() => new("--since") { Description = "Only since then: 15m, 2h, 7d, or a date" };
}
