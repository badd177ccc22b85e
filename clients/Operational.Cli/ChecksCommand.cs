using System.CommandLine;

namespace Operational.Cli;

/// <summary><c>ops checks</c> and <c>ops rules</c>: what is watched, as <c>GET /v1/checks</c> and <c>GET /v1/rules</c>.</summary>
internal static class ChecksCommand
{
    public static Command Create()
    {
        var checks = new Command("checks", "List the job checks with their status, last ping and next ping due (a key with read)");
        Listing.AddTo(checks, paged: false);
        checks.SetAction((parse, cancellationToken) => Listing.ShowAsync(parse, "/v1/checks", [], "checks",
        [
            new("STATUS", c => (string?)c["status"], Levels.Colour),
            new("NAME", c => (string?)c["name"]),
            new("SLUG", c => (string?)c["slug"]),
            new("SCHEDULE", c => (string?)c["cron"] ?? (c["periodSeconds"] is { } period ? "every " + Durations.Show(TimeSpan.FromSeconds((int)period)) : null)),
            new("LAST PING", c => Listing.Time(c["lastPingAt"])),
            new("NEXT DUE", c => Listing.Time(c["nextPingDueAt"])),
            new("PINGS", c => c["pings"]?.ToString()),
            new("ID", c => (string?)c["id"], Wrap: false),
        ], cancellationToken));
        return checks;
    }

    public static Command CreateRules()
    {
        var rules = new Command("rules", "List the alert rules (a key with read)");
        Listing.AddTo(rules, paged: false);
        rules.SetAction((parse, cancellationToken) => Listing.ShowAsync(parse, "/v1/rules", [], "rules",
        [
            new("NAME", r => (string?)r["name"]),
            new("KIND", r => (string?)r["kind"]),
            new("ENABLED", r => (bool?)r["enabled"] == false ? "no" : "yes"),
            new("CHANNELS", r => r["channels"]?.AsArray().Count.ToString()),
            new("ID", r => (string?)r["id"], Wrap: false),
        ], cancellationToken));
        return rules;
    }
}
