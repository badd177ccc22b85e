using System.CommandLine;
using System.Text.Json.Nodes;

namespace Operational.Cli;

/// <summary><c>ops users</c> and <c>ops insights</c>: who uses the product, and its KPIs.</summary>
internal static class UsersCommand
{
    public static Command Create()
    {
        var text = new Option<string?>("--q") { Description = "Part of the user id" };
        var property = new Option<string?>("--property") { Description = "key:value, e.g. plan:premium" };
        var users = new Command("users", "List users by last seen (a key with read)");
        users.Options.Add(text);
        users.Options.Add(property);
        Listing.AddTo(users);
        users.SetAction((parse, cancellationToken) => Listing.ShowAsync(parse, "/v1/users",
            [("q", parse.GetValue(text)), ("property", parse.GetValue(property))], "users",
            [
                new("USER", u => (string?)u["userId"]),
                new("LAST SEEN", u => Listing.Time(u["lastSeen"]), Wrap: false),
                new("FIRST SEEN", u => Listing.Time(u["firstSeen"]), Wrap: false),
                new("EVENTS", u => u["eventCount"]?.ToString()),
                new("PROPERTIES", u => u["properties"] is JsonObject p ? string.Join(" ", p.Select(kv => $"{kv.Key}={kv.Value}")) : null),
            ],
            cancellationToken));
        return users;
    }

    public static Command CreateInsights()
    {
        var insights = new Command("insights", "List the project's insights (KPIs) with their latest values (a key with read)");
        Listing.AddTo(insights, paged: false);
        insights.SetAction((parse, cancellationToken) => Listing.ShowAsync(parse, "/v1/insights", [], "insights",
            [
                new("INSIGHT", i => $"{(string?)i["icon"]} {(string?)i["title"]}".Trim()),
                new("VALUE", i => i["value"]?.ToString()),
                new("UPDATED", i => Listing.Time(i["updatedAt"]), Wrap: false),
            ],
            cancellationToken));
        return insights;
    }
}
