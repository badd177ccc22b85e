using System.CommandLine;

namespace Operational.Cli;

/// <summary><c>ops contexts</c>: runs and flows, newest first, as <c>GET /v1/contexts</c>.</summary>
internal static class ContextsCommand
{
    public static Command Create()
    {
        var status = new Option<string?>("--status") { Description = "open, completed, failed or stalled" };
        status.AcceptOnlyFromAmong("open", "completed", "failed", "stalled");
        var category = new Option<string?>("--category") { Description = "Exact category of the title event" };
        var text = new Option<string?>("--q") { Description = "Text the title contains" };
        var since = Listing.Since();
        var test = new Option<bool>("--test") { Description = "The contexts of test events" };
        var contexts = new Command("contexts", "List contexts (one cron run, one signup flow), newest first (a key with read)");
        foreach (var option in new Option[] { status, category, text, since, test })
        {
            contexts.Options.Add(option);
        }

        Listing.AddTo(contexts);
        contexts.SetAction((parse, cancellationToken) =>
        {
            if (!Listing.TrySince(parse.GetValue(since), out var from))
            {
                return Task.FromResult(2);
            }

            return Listing.ShowAsync(parse, "/v1/contexts",
                [("status", parse.GetValue(status)), ("category", parse.GetValue(category)), ("q", parse.GetValue(text)), ("from", from),
                 ("test", parse.GetValue(test) ? "true" : null)],
                "contexts",
                [
                    new("STARTED", c => Listing.Time(c["firstEventAt"]), Wrap: false),
                    new("STATUS", c => (string?)c["status"], Levels.Colour),
                    new("TITLE", c => $"{(string?)c["avatar"]} {(string?)c["title"]}".Trim()),
                    new("CATEGORY", c => (string?)c["category"]),
                    new("EVENTS", c => c["eventCount"]?.ToString()),
                    new("DURATION", c => c["durationMs"] is { } ms ? Durations.Show(TimeSpan.FromMilliseconds((long)ms)) : null),
                    new("ID", c => (string?)c["contextId"], Wrap: false),
                ],
                cancellationToken);
        });
        return contexts;
    }
}
