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

/// <summary>
/// A channel as operators write it (<c>POST</c>/<c>PUT /v1/channels</c>) and as it is stored: a name,
/// a kind, and the settings of that kind. Secrets are write-only: answers never show them, and a
/// <c>PUT</c> that leaves one out keeps the stored one.
/// </summary>
/// <param name="Receive">
/// What the channel gets besides the alerts of rules that name it: <c>events</c> (every event sent
/// with <c>notify: true</c>) and <c>contexts</c> (contexts that fail or stall).
/// </param>
public sealed record ChannelDefinition(
    string? Name,
    string? Kind,
    WebhookSettings? Webhook,
    IncomingWebhookSettings? Slack,
    IncomingWebhookSettings? Discord,
    EmailSettings? Email,
    TelegramSettings? Telegram,
    NtfySettings? Ntfy,
    IReadOnlyList<string>? Receive = null);

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

/// <param name="Secret">Signs each payload; <c>whsec_</c> and base64 of 24 to 64 bytes. Generated when left out, and shown once.</param>
public sealed record WebhookSettings(string? Url, string? Secret);

/// <param name="WebhookUrl">The incoming-webhook URL Slack or Discord gave; it is a secret (it holds the token).</param>
public sealed record IncomingWebhookSettings(string? WebhookUrl);

/// <param name="Security"><c>starttls</c> (default), <c>tls</c> or <c>none</c>.</param>
public sealed record EmailSettings(string? Host, int? Port, string? Security, string? Username, string? Password, string? From, IReadOnlyList<string>? To);

public sealed record TelegramSettings(string? BotToken, string? ChatId);

/// <param name="ServerUrl">Default https://ntfy.sh.</param>
/// <param name="Token">An access token for a protected topic.</param>
public sealed record NtfySettings(string? ServerUrl, string? Topic, string? Token);

/// <summary>A stored channel.</summary>
public sealed record Channel(string Id, string ProjectId, ChannelDefinition Definition, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
