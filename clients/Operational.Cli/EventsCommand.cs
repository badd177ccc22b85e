using System.CommandLine;

namespace Operational.Cli;

/// <summary><c>ops events</c>: the project's events, newest first, filtered as <c>GET /v1/events</c>.</summary>
internal static class EventsCommand
{
    public static Command Create()
    {
        var category = new Option<string?>("--category") { Description = "Exact category" };
        var name = new Option<string?>("--name") { Description = "Exact name" };
        var level = new Option<string?>("--level") { Description = "info, success, warning or error" };
        level.AcceptOnlyFromAmong("info", "success", "warning", "error");
        var tag = new Option<string?>("--tag") { Description = "key:value" };
        var context = new Option<string?>("--context") { Description = "A context id" };
        var user = new Option<string?>("--user") { Description = "A user id" };
        var text = new Option<string?>("--q") { Description = "Words that must all occur in the name or text" };
        var since = Listing.Since();
        var test = new Option<bool>("--test") { Description = "The test events instead of the live ones" };
        var events = new Command("events", "List events, newest first (a key with read)");
        foreach (var option in new Option[] { category, name, level, tag, context, user, text, since, test })
        {
            events.Options.Add(option);
        }

        Listing.AddTo(events);
        events.SetAction((parse, cancellationToken) =>
        {
            if (!Listing.TrySince(parse.GetValue(since), out var from))
            {
                return Task.FromResult(2);
            }

            return Listing.ShowAsync(parse, "/v1/events",
                [("category", parse.GetValue(category)), ("name", parse.GetValue(name)), ("level", parse.GetValue(level)), ("tag", parse.GetValue(tag)),
                 ("contextId", parse.GetValue(context)), ("userId", parse.GetValue(user)), ("q", parse.GetValue(text)), ("from", from),
                 ("test", parse.GetValue(test) ? "true" : null)],
                "events",
                [
                    new("TIME", e => Listing.Time(e["timestamp"]), Wrap: false),
                    new("LEVEL", e => (string?)e["level"], Levels.Colour),
                    new("NAME", e => $"{(string?)e["avatar"]} {(string?)e["name"]}".Trim()),
                    new("CATEGORY", e => (string?)e["category"]),
                    new("CONTEXT", e => (string?)e["contextId"]),
                    new("ID", e => (string?)e["id"], Wrap: false),
                ],
                cancellationToken);
        });
        return events;
    }
}

/// <summary>How a level or status looks on a terminal.</summary>
internal static class Levels
{
    public static string? Colour(string value) => value switch
    {
        "error" or "failed" or "down" or "open" => "red",
        "warning" or "stalled" or "late" or "running" => "yellow",
        "success" or "completed" or "up" or "resolved" => "green",
        "paused" or "new" => "grey",
        _ => null,
    };
}
