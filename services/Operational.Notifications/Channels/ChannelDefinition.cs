using Operational.Contracts.Api;

namespace Operational.Notifications.Channels;

/// <summary>Where notifications can go.</summary>
public static class ChannelKinds
{
    /// <summary>The browsers and phones of the project's operators that turned push on.</summary>
    public const string WebPush = "webpush";

    /// <summary>An HTTP POST of JSON, signed per Standard Webhooks.</summary>
    public const string Webhook = "webhook";

    /// <summary>A Slack incoming webhook.</summary>
    public const string Slack = "slack";

    /// <summary>A Discord webhook.</summary>
    public const string Discord = "discord";

    /// <summary>Mail over SMTP.</summary>
    public const string Email = "email";

    /// <summary>A Telegram bot writing to a chat.</summary>
    public const string Telegram = "telegram";

    /// <summary>An ntfy topic (ntfy.sh or self-hosted), for native phone notifications through the ntfy app.</summary>
    public const string Ntfy = "ntfy";

    public static readonly IReadOnlyList<string> All = [WebPush, Webhook, Slack, Discord, Email, Telegram, Ntfy];
}

/// <summary>What a channel can receive besides rule alerts.</summary>
public static class ChannelRoutes
{
    /// <summary>Events sent with <c>notify: true</c>.</summary>
    public const string Events = "events";

    /// <summary>Contexts that fail or stall.</summary>
    public const string Contexts = "contexts";

    public static readonly IReadOnlyList<string> All = [Events, Contexts];

    public static bool Receives(this ChannelDefinition channel, string route) => channel.Receive?.Contains(route) == true;
}

/// <summary>A stored channel.</summary>
public sealed record Channel(string Id, string ProjectId, ChannelDefinition Definition, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
