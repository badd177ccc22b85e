using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Operational.Cli;

/// <summary>
/// <c>ops metrics &lt;event&gt; &lt;field&gt; [--by tag] [--since 24h]</c>, or <c>ops metrics --saved key</c>:
/// a numeric tag's figures over a range — per group (the groups with the most values, then the
/// rest) — as <c>GET /v1/metrics</c> gives them: values, p50, p95, p99, max. <c>--json</c> prints
/// the API's answer.
/// </summary>
internal static class MetricsCommand
{
    public static Command Create()
    {
        var name = new Argument<string?>("event") { Description = "The event name, e.g. \"import finished\"", Arity = ArgumentArity.ZeroOrOne };
        var field = new Argument<string?>("field") { Description = "The numeric tag, e.g. durationMs", Arity = ArgumentArity.ZeroOrOne };
        var saved = new Option<string?>("--saved") { Description = "A saved metric's key instead of an event and field (its conditions and group are its own)" };
        var by = new Option<string?>("--by") { Description = "A tag to group by, e.g. customer" };
        var since = Listing.Since();
        var top = new Option<int>("--top") { Description = "Groups shown (1–50; the rest are other)", DefaultValueFactory = _ => 10 };
        var json = new Option<bool>("--json") { Description = "The API's JSON instead of a table" };
        var metrics = new Command("metrics", "A numeric tag's count, p50, p95, p99 and max over a range, per group (a key with read)");
        metrics.Arguments.Add(name);
        metrics.Arguments.Add(field);
        metrics.Validators.Add(result =>
        {
            var named = result.GetValue(name) is not null && result.GetValue(field) is not null;
            if (named == (result.GetValue(saved) is not null))
            {
                result.AddError("Give an event and its numeric tag (ops metrics \"import finished\" durationMs), or --saved with a saved metric's key.");
            }
        });
        foreach (var option in new Option[] { saved, by, since, top, json })
        {
            metrics.Options.Add(option);
        }

        Connection.AddTo(metrics);
        metrics.SetAction(async (parse, cancellationToken) =>
        {
            if (!Listing.TrySince(parse.GetValue(since) ?? "24h", out var from) || Connection.Resolve(parse) is not { } endpoint)
            {
                return 2;
            }

            var range = DateTimeOffset.UtcNow - DateTimeOffset.Parse(from!, CultureInfo.InvariantCulture);
            var query = string.Join('&', new[]
            {
                ("name", parse.GetValue(name)), ("field", parse.GetValue(field)), ("metric", parse.GetValue(saved)), ("groupBy", parse.GetValue(by)), ("from", from),
                ("bucket", range > TimeSpan.FromDays(60) ? "day" : "hour"), ("top", parse.GetValue(top).ToString(CultureInfo.InvariantCulture)),
                ("fn", "count,p50,p95,p99,max"),
            }.Where(p => p.Item2 is not null).Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2!)}"));
            using var api = new Api(endpoint);
            JsonNode answer;
            try
            {
                answer = await api.GetAsync("/v1/metrics?" + query, cancellationToken);
            }
            catch (ApiException e)
            {
                Console.Error.WriteLine($"ops: {e.Message}");
                return 1;
            }

            if (parse.GetValue(json))
            {
                Console.WriteLine(answer.ToJsonString(Listing.Readable));
                return 0;
            }

            var rows = new JsonArray { answer["all"]?.DeepClone() };
            foreach (var group in answer["groups"]?.AsArray() ?? [])
            {
                rows.Add(group?.DeepClone());
            }

            if (answer["other"] is { } other)
            {
                rows.Add(other.DeepClone());
            }

            string? Stat(JsonNode row, string fn) => row["total"]?[fn] is { } v ? ((double)v).ToString("0.##", CultureInfo.InvariantCulture) : null;
            Listing.Write(false, rows,
            [
                new(((string?)answer["groupBy"])?.ToUpperInvariant() ?? "EVENTS", r => (string?)r["group"] ?? "all"),
                new("VALUES", r => r["count"]?.ToString()),
                new("P50", r => Stat(r, "p50")),
                new("P95", r => Stat(r, "p95")),
                new("P99", r => Stat(r, "p99")),
                new("MAX", r => Stat(r, "max")),
            ]);
            return 0;
        });
        return metrics;
    }
}
