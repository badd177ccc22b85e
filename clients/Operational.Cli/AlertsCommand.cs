using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Operational.Cli;

/// <summary><c>ops alerts</c>, <c>ops alerts ack</c>, <c>ops alerts silence</c>: what is wrong, and taking it.</summary>
internal static class AlertsCommand
{
    public static Command Create()
    {
        var status = new Option<string?>("--status") { Description = "open, resolved or fired" };
        status.AcceptOnlyFromAmong("open", "resolved", "fired");
        var rule = new Option<string?>("--rule") { Description = "Only this rule's (its id)" };
        var alerts = new Command("alerts", "List alerts, newest first (a key with read); ack and silence them");
        alerts.Options.Add(status);
        alerts.Options.Add(rule);
        Listing.AddTo(alerts);
        alerts.SetAction((parse, cancellationToken) => Listing.ShowAsync(parse, "/v1/alerts",
            [("status", parse.GetValue(status)), ("ruleId", parse.GetValue(rule))],
            "alerts",
            [
                new("TRIGGERED", a => Listing.Time(a["triggeredAt"]), Wrap: false),
                new("STATUS", a => (string?)a["acknowledgedBy"] is not null && (string?)a["status"] == "open" ? "acknowledged" : (string?)a["status"], Levels.Colour),
                new("RULE", a => (string?)a["ruleName"]),
                new("GROUP", a => (string?)a["group"]),
                new("SUMMARY", a => (string?)a["evidence"]?["summary"]),
                new("ID", a => (string?)a["id"], Wrap: false),
            ],
            cancellationToken));
        alerts.Subcommands.Add(Acknowledge());
        alerts.Subcommands.Add(Silence());
        return alerts;
    }

    private static Command Acknowledge()
    {
        var id = new Argument<string>("alert-id") { Description = "The alert's id (ops alerts shows it)" };
        var undo = new Option<bool>("--undo") { Description = "Take the acknowledgement back: reminders and escalation resume" };
        var ack = new Command("ack", "Acknowledge an open alert: no reminders or escalation while someone is on it (a key with read)");
        ack.Arguments.Add(id);
        ack.Options.Add(undo);
        Connection.AddTo(ack);
        ack.SetAction(async (parse, cancellationToken) =>
        {
            if (Connection.Resolve(parse) is not { } endpoint)
            {
                return 2;
            }

            using var api = new Api(endpoint);
            try
            {
                var alert = await api.SendAsync(parse.GetValue(undo) ? HttpMethod.Delete : HttpMethod.Post,
                    $"/v1/alerts/{Uri.EscapeDataString(parse.GetValue(id)!)}/acknowledge", null, cancellationToken);
                Console.WriteLine(parse.GetValue(undo)
                    ? $"{Name(alert)}: no longer acknowledged"
                    : $"{Name(alert)}: acknowledged at {Listing.Time(alert["acknowledgedAt"])}");
                return 0;
            }
            catch (ApiException e)
            {
                Console.Error.WriteLine($"ops: {e.Message}");
                return 1;
            }
        });
        return ack;
    }

    private static Command Silence()
    {
        var id = new Argument<string?>("alert-id") { Description = "Silence this alert's rule and group (or give --rule, --group or --tag)", Arity = ArgumentArity.ZeroOrOne };
        var rule = new Option<string?>("--rule") { Description = "A rule or check id" };
        var group = new Option<string?>("--group") { Description = "A group (of that rule, or of any rule)" };
        var tag = new Option<string?>("--tag") { Description = "Every job check with this tag" };
        var forDuration = new Option<string?>("--for") { Description = "How long: 30m, 2h, 1d (default 1h)" };
        var until = new Option<string?>("--until") { Description = "Until then instead (a date and time)" };
        var comment = new Option<string>("--comment") { Description = "Why, for whoever looks later", Required = true };
        var silence = new Command("silence", "Mute alerts for a while: those of an alert's rule and group, a rule, a group or a tag (a key with admin)");
        silence.Arguments.Add(id);
        foreach (var option in new Option[] { rule, group, tag, forDuration, until, comment })
        {
            silence.Options.Add(option);
        }

        Connection.AddTo(silence);
        silence.SetAction(async (parse, cancellationToken) =>
        {
            if (Connection.Resolve(parse) is not { } endpoint)
            {
                return 2;
            }

            DateTimeOffset endsAt;
            if (parse.GetValue(until) is { } untilText)
            {
                if (!DateTimeOffset.TryParse(untilText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out endsAt))
                {
                    Console.Error.WriteLine($"ops: --until {untilText}: write a date and time, e.g. 2026-12-01T18:00.");
                    return 2;
                }
            }
            else if (Durations.TryParse(parse.GetValue(forDuration) ?? "1h", out var length))
            {
                endsAt = DateTimeOffset.UtcNow.Add(length);
            }
            else
            {
                Console.Error.WriteLine($"ops: --for {parse.GetValue(forDuration)}: write a duration (30m, 2h, 1d).");
                return 2;
            }

            using var api = new Api(endpoint);
            try
            {
                var (ruleId, groupName) = (parse.GetValue(rule), parse.GetValue(group));
                if (parse.GetValue(id) is { } alertId)
                {
                    if (await FindAsync(api, alertId, cancellationToken) is not { } alert)
                    {
                        Console.Error.WriteLine($"ops: no alert {alertId} among the open and recent ones.");
                        return 1;
                    }

                    (ruleId, groupName) = ((string?)alert["ruleId"], (string?)alert["group"]);
                }

                if (ruleId is null && groupName is null && parse.GetValue(tag) is null)
                {
                    Console.Error.WriteLine("ops: say what to silence: an alert id, --rule, --group or --tag.");
                    return 2;
                }

                var body = new JsonObject
                {
                    ["ruleId"] = ruleId, ["group"] = groupName, ["tag"] = parse.GetValue(tag),
                    ["endsAt"] = endsAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture), ["comment"] = parse.GetValue(comment),
                };
                var made = await api.SendAsync(HttpMethod.Post, "/v1/silences", body, cancellationToken);
                Console.WriteLine($"silenced until {Listing.Time(made["endsAt"])} ({(string?)made["id"]})");
                return 0;
            }
            catch (ApiException e)
            {
                Console.Error.WriteLine($"ops: {e.Message}");
                return 1;
            }
        });
        return silence;
    }

    /// <summary>An alert by id: the API lists rather than fetches alerts, so look through the latest 1,000.</summary>
    private static async Task<JsonNode?> FindAsync(Api api, string alertId, CancellationToken cancellationToken)
    {
        string? cursor = null;
        for (var page = 0; page < 5; page++)
        {
            var alerts = await api.GetAsync("/v1/alerts?limit=200" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)), cancellationToken);
            if (alerts["alerts"]?.AsArray().FirstOrDefault(a => (string?)a?["id"] == alertId) is { } found)
            {
                return found;
            }

            if ((cursor = (string?)alerts["nextCursor"]) is null)
            {
                return null;
            }
        }

        return null;
    }

    private static string Name(JsonNode alert) => (string?)alert["group"] is { } group ? $"{(string?)alert["ruleName"]} ({group})" : (string?)alert["ruleName"] ?? "alert";
}
