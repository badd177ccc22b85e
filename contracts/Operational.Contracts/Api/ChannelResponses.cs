namespace Operational.Contracts.Api;

// The notifications service's channel API (/v1/channels), which the rules service reads to check
// a rule's channel ids: one type on both sides of the boundary.

/// <summary>
/// A channel as operators write it (<c>POST</c>/<c>PUT /v1/channels</c>) and as it is stored: a name,
/// a kind, and the settings of that kind. Secrets are write-only: answers never show them.
/// </summary>
/// <param name="Name">Shown to operators; 1 to 100 characters.</param>
/// <param name="Kind">webpush, webhook, slack, discord, email, telegram or ntfy.</param>
/// <param name="Webhook">The settings of a webhook channel.</param>
/// <param name="Slack">The settings of a Slack channel.</param>
/// <param name="Discord">The settings of a Discord channel.</param>
/// <param name="Email">The settings of an email channel.</param>
/// <param name="Telegram">The settings of a Telegram channel.</param>
/// <param name="Ntfy">The settings of an ntfy channel.</param>
/// <param name="Receive">
/// What the channel gets besides the alerts of rules that name it: <c>events</c> (every event sent
/// with <c>notify: true</c>) and <c>contexts</c> (contexts that fail or stall).
/// </param>
/// <param name="MaxMessagesPerMinute">At most this many messages a minute reach the channel; the rest wait their turn (none: no cap).</param>
/// <param name="Template">The channel's own wording of its messages' title and body, with <c>{{name}}</c> placeholders.</param>
public sealed record ChannelDefinition(
    string? Name,
    string? Kind,
    WebhookSettings? Webhook,
    IncomingWebhookSettings? Slack,
    IncomingWebhookSettings? Discord,
    EmailSettings? Email,
    TelegramSettings? Telegram,
    NtfySettings? Ntfy,
    IReadOnlyList<string>? Receive = null,
    int? MaxMessagesPerMinute = null,
    MessageTemplateSettings? Template = null);

/// <summary>A channel's wording: either part may be left out to keep the default.</summary>
/// <param name="Title">E.g. <c>[{{level}}] {{alert.ruleName}}</c>.</param>
/// <param name="Body">E.g. <c>{{alert.summary}} ({{evidence.count}} events)</c>.</param>
public sealed record MessageTemplateSettings(string? Title, string? Body);

/// <summary>Where a webhook channel posts.</summary>
/// <param name="Url">The http(s) URL that receives the JSON.</param>
/// <param name="Secret">Signs each payload; <c>whsec_</c> and base64 of 24 to 64 bytes. Generated when left out, and shown once.</param>
public sealed record WebhookSettings(string? Url, string? Secret);

/// <summary>A Slack or Discord incoming webhook.</summary>
/// <param name="WebhookUrl">The URL Slack or Discord gave; it is a secret (it holds the token).</param>
public sealed record IncomingWebhookSettings(string? WebhookUrl);

/// <summary>An SMTP server and the mail's envelope.</summary>
/// <param name="Host">The SMTP server's host name.</param>
/// <param name="Port">Its port; 587 when left out.</param>
/// <param name="Security"><c>starttls</c> (default), <c>tls</c> or <c>none</c>.</param>
/// <param name="Username">Signs in with this user, if set.</param>
/// <param name="Password">Its password; a secret.</param>
/// <param name="From">The sender's address.</param>
/// <param name="To">1 to 20 recipients.</param>
public sealed record EmailSettings(string? Host, int? Port, string? Security, string? Username, string? Password, string? From, IReadOnlyList<string>? To);

/// <summary>A Telegram bot writing to a chat.</summary>
/// <param name="BotToken">The token BotFather gave; a secret.</param>
/// <param name="ChatId">The chat the bot writes to.</param>
public sealed record TelegramSettings(string? BotToken, string? ChatId);

/// <summary>An ntfy topic.</summary>
/// <param name="ServerUrl">Default https://ntfy.sh.</param>
/// <param name="Topic">The topic's name.</param>
/// <param name="Token">An access token for a protected topic; a secret.</param>
public sealed record NtfySettings(string? ServerUrl, string? Topic, string? Token);

/// <summary>A channel as answers show it: settings without secrets, and which secrets are set.</summary>
/// <param name="Id">The channel's id (<c>ch_…</c>), what rules name.</param>
/// <param name="Name">Its name.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Webhook">A webhook channel's settings, without the secret.</param>
/// <param name="Slack">Always without the URL (a secret).</param>
/// <param name="Discord">Always without the URL (a secret).</param>
/// <param name="Email">An email channel's settings, without the password.</param>
/// <param name="Telegram">A Telegram channel's settings, without the bot token.</param>
/// <param name="Ntfy">An ntfy channel's settings, without the token.</param>
/// <param name="Receive">What it receives besides rule alerts.</param>
/// <param name="SecretsSet">The names of the secrets it has, e.g. <c>webhook.secret</c>.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it last changed.</param>
/// <param name="Secret">Only in the answer that created a webhook channel without a secret: the one made for it, shown once.</param>
/// <param name="MaxMessagesPerMinute">The channel's cap on messages a minute, if any.</param>
/// <param name="Template">The channel's wording, if it has its own.</param>
public sealed record ChannelResponse(
    string Id,
    string? Name,
    string? Kind,
    WebhookSettings? Webhook,
    IncomingWebhookSettings? Slack,
    IncomingWebhookSettings? Discord,
    EmailSettings? Email,
    TelegramSettings? Telegram,
    NtfySettings? Ntfy,
    IReadOnlyList<string> Receive,
    IReadOnlyList<string> SecretsSet,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? Secret = null,
    int? MaxMessagesPerMinute = null,
    MessageTemplateSettings? Template = null);

/// <summary>The project's channels.</summary>
/// <param name="Channels">Oldest first.</param>
public sealed record ChannelListResponse(IReadOnlyList<ChannelResponse> Channels);
