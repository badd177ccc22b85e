using System.Net.Mail;
using System.Security.Cryptography;
using Operational.Contracts.Api;
using Operational.Notifications.Outbound;
using Operational.ServiceDefaults.Validation;

namespace Operational.Notifications.Channels;

/// <summary>
/// Checks a channel as written, fills in what was left to the service (a webhook secret, a kept
/// secret on <c>PUT</c>, defaults), and reports every problem under its field's path.
/// </summary>
public static class ChannelValidator
{
    /// <summary>The highest cap a channel may set: a message a second.</summary>
    public const int MaxMessagesPerMinuteCap = 600;

    public const int MaxNameLength = 100;
    public const int MaxRecipients = 20;
    public const string WebhookSecretPrefix = "whsec_";

    /// <summary>The channel to store, or null with <paramref name="errors"/> filled.</summary>
    /// <param name="existing">
    /// The stored definition on <c>PUT</c>: its secrets stay when the request leaves them out, unless the
    /// destination they were for changed (an ntfy server; an SMTP server, port or security).
    /// </param>
    /// <param name="generatedSecret">A webhook secret made for this channel, to show once.</param>
    public static ChannelDefinition? Validate(
        ChannelDefinition definition, ChannelDefinition? existing, IReadOnlyCollection<string> allowedHosts,
        FieldErrors errors, out string? generatedSecret)
    {
        generatedSecret = null;
        var name = definition.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength)
        {
            errors.Add("name", $"is required: 1 to {MaxNameLength} characters");
        }

        var kind = definition.Kind;
        if (kind is null || !ChannelKinds.All.Contains(kind))
        {
            errors.Add("kind", $"is required: one of {string.Join(", ", ChannelKinds.All)}");
            return null;
        }

        foreach (var (field, settings) in new (string, object?)[]
                 {
                     (ChannelKinds.Webhook, definition.Webhook), (ChannelKinds.Slack, definition.Slack), (ChannelKinds.Discord, definition.Discord),
                     (ChannelKinds.Email, definition.Email), (ChannelKinds.Telegram, definition.Telegram), (ChannelKinds.Ntfy, definition.Ntfy),
                 })
        {
            if (settings is not null && field != kind)
            {
                errors.Add(field, $"is only for channels of kind {field}");
            }
        }

        if (definition.MaxMessagesPerMinute is < 1 or > MaxMessagesPerMinuteCap)
        {
            errors.Add("maxMessagesPerMinute", $"must be from 1 to {MaxMessagesPerMinuteCap}");
        }

        MessageTemplate.Validate(definition.Template?.Title, "template.title", errors);
        MessageTemplate.Validate(definition.Template?.Body, "template.body", errors);

        if (definition.Receive is { } receive && receive.Any(r => !ChannelRoutes.All.Contains(r)))
        {
            errors.Add("receive", $"may hold only {string.Join(", ", ChannelRoutes.All)}");
        }

        var keep = existing?.Kind == kind ? existing : null;
        var result = definition with { Name = name, Receive = definition.Receive?.Distinct().ToList() };
        switch (kind)
        {
            case ChannelKinds.Webhook:
                var webhook = Required(definition.Webhook, "webhook", "{\"url\": \"https://…\"}", errors);
                if (webhook is null)
                {
                    break;
                }

                var secret = webhook.Secret ?? keep?.Webhook?.Secret;
                if (secret is null)
                {
                    secret = generatedSecret = WebhookSecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
                }
                else if (!IsWebhookSecret(secret))
                {
                    errors.Add("webhook.secret", "must be whsec_ followed by base64 of 24 to 64 bytes; leave it out to have one made");
                }

                Url(webhook.Url, "webhook.url", httpsOnly: false, allowedHosts, errors);
                result = result with { Webhook = webhook with { Secret = secret } };
                break;

            case ChannelKinds.Slack or ChannelKinds.Discord:
                var incoming = (kind == ChannelKinds.Slack ? definition.Slack : definition.Discord) ?? new IncomingWebhookSettings(null);
                var url = incoming.WebhookUrl ?? (kind == ChannelKinds.Slack ? keep?.Slack : keep?.Discord)?.WebhookUrl;
                Url(url, $"{kind}.webhookUrl", httpsOnly: true, allowedHosts, errors);
                result = kind == ChannelKinds.Slack ? result with { Slack = new(url) } : result with { Discord = new(url) };
                break;

            case ChannelKinds.Email:
                var email = Required(definition.Email, "email", "{\"host\": …, \"from\": …, \"to\": […]}", errors);
                if (email is null)
                {
                    break;
                }

                if (string.IsNullOrWhiteSpace(email.Host) || email.Host.Length > 253)
                {
                    errors.Add("email.host", "is required: the SMTP server's host name");
                }
                else if (OutboundAddresses.CheckHost(email.Host, allowedHosts) is { } refused)
                {
                    errors.Add("email.host", refused);
                }

                if (email.Port is { } port && port is < 1 or > 65535)
                {
                    errors.Add("email.port", "must be from 1 to 65535");
                }

                if (email.Security is { } security && security is not ("starttls" or "tls" or "none"))
                {
                    errors.Add("email.security", "must be starttls, tls or none");
                }

                if (!IsAddress(email.From))
                {
                    errors.Add("email.from", "is required: an email address");
                }

                if (email.To is not { Count: > 0 and <= MaxRecipients } to || !to.All(IsAddress))
                {
                    errors.Add("email.to", $"is required: 1 to {MaxRecipients} email addresses");
                }

                result = result with
                {
                    Email = email with
                    {
                        Port = email.Port ?? 587,
                        Security = email.Security ?? "starttls",
                        // A kept password goes only where it went before: another server (or no encryption) must be given it again.
                        Password = email.Password ?? (SameSmtpServer(keep?.Email, email) ? keep!.Email!.Password : null),
                    },
                };
                break;

            case ChannelKinds.Telegram:
                var telegram = Required(definition.Telegram, "telegram", "{\"botToken\": …, \"chatId\": …}", errors);
                if (telegram is null)
                {
                    break;
                }

                var token = telegram.BotToken ?? keep?.Telegram?.BotToken;
                if (token is null || !IsBotToken(token))
                {
                    errors.Add("telegram.botToken", "is required: the token BotFather gave, e.g. 123456:ABC-DEF…");
                }

                if (string.IsNullOrWhiteSpace(telegram.ChatId) || telegram.ChatId.Length > 64)
                {
                    errors.Add("telegram.chatId", "is required: the chat's id or @channel name");
                }

                result = result with { Telegram = telegram with { BotToken = token } };
                break;

            case ChannelKinds.Ntfy:
                var ntfy = Required(definition.Ntfy, "ntfy", "{\"topic\": …}", errors);
                if (ntfy is null)
                {
                    break;
                }

                var server = ntfy.ServerUrl ?? "https://ntfy.sh";
                Url(server, "ntfy.serverUrl", httpsOnly: false, allowedHosts, errors);
                if (ntfy.Topic is not { Length: >= 1 and <= 64 } topic || !topic.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
                {
                    errors.Add("ntfy.topic", "is required: 1 to 64 letters, digits, '-' or '_'");
                }

                // A kept token goes only to the server it was made for.
                var keptToken = SameUrl(keep?.Ntfy?.ServerUrl, server) ? keep!.Ntfy!.Token : null;
                result = result with { Ntfy = ntfy with { ServerUrl = server, Token = ntfy.Token ?? keptToken } };
                break;
        }

        return errors.IsEmpty ? result : null;
    }

    /// <summary>Whether a changed email channel still sends to the same server, as securely: only then may its stored password stay.</summary>
    private static bool SameSmtpServer(EmailSettings? stored, EmailSettings changed) =>
        stored is not null
        && string.Equals(stored.Host?.Trim(), changed.Host?.Trim(), StringComparison.OrdinalIgnoreCase)
        && (stored.Port ?? 587) == (changed.Port ?? 587)
        && (stored.Security ?? "starttls") == (changed.Security ?? "starttls");

    private static bool SameUrl(string? stored, string changed) =>
        stored is not null && Uri.TryCreate(stored, UriKind.Absolute, out var a) && Uri.TryCreate(changed, UriKind.Absolute, out var b)
        && Uri.Compare(a, b, UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    /// <summary>The definition as answers show it: secrets left out, and the names of those that are set.</summary>
    public static (ChannelDefinition Shown, IReadOnlyList<string> Secrets) Redact(ChannelDefinition d)
    {
        var secrets = new List<string>();
        void Note(string? value, string field)
        {
            if (value is not null)
            {
                secrets.Add(field);
            }
        }

        Note(d.Webhook?.Secret, ChannelSecretFields.WebhookSecret);
        Note(d.Slack?.WebhookUrl, ChannelSecretFields.SlackUrl);
        Note(d.Discord?.WebhookUrl, ChannelSecretFields.DiscordUrl);
        Note(d.Email?.Password, ChannelSecretFields.EmailPassword);
        Note(d.Telegram?.BotToken, ChannelSecretFields.TelegramToken);
        Note(d.Ntfy?.Token, ChannelSecretFields.NtfyToken);
        return (d with
        {
            Webhook = d.Webhook is null ? null : d.Webhook with { Secret = null },
            Slack = d.Slack is null ? null : new(null),
            Discord = d.Discord is null ? null : new(null),
            Email = d.Email is null ? null : d.Email with { Password = null },
            Telegram = d.Telegram is null ? null : d.Telegram with { BotToken = null },
            Ntfy = d.Ntfy is null ? null : d.Ntfy with { Token = null },
        }, secrets);
    }

    public static bool IsWebhookSecret(string secret)
    {
        if (!secret.StartsWith(WebhookSecretPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var buffer = new byte[96];
        return Convert.TryFromBase64String(secret[WebhookSecretPrefix.Length..], buffer, out var length) && length is >= 24 and <= 64;
    }

    private static T? Required<T>(T? settings, string field, string example, FieldErrors errors)
        where T : class
    {
        if (settings is null)
        {
            errors.Add(field, $"is required for a {field} channel: {example}");
        }

        return settings;
    }

    private static void Url(string? url, string field, bool httpsOnly, IReadOnlyCollection<string> allowedHosts, FieldErrors errors)
    {
        if (OutboundAddresses.CheckUrl(url, httpsOnly, allowedHosts) is { } problem)
        {
            errors.Add(field, problem);
        }
    }

    private static bool IsAddress(string? value) =>
        value is { Length: > 0 and <= 254 } && MailAddress.TryCreate(value, out var address) && address.Address == value.Trim();

    private static bool IsBotToken(string token)
    {
        var colon = token.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && colon < token.Length - 1 && token.Length <= 100 && token[..colon].All(char.IsAsciiDigit) &&
               token[(colon + 1)..].All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
    }
}

/// <summary>The fields of a channel that are secrets: write-only in the API, sealed at rest.</summary>
public static class ChannelSecretFields
{
    public const string WebhookSecret = "webhook.secret";
    public const string SlackUrl = "slack.webhookUrl";
    public const string DiscordUrl = "discord.webhookUrl";
    public const string EmailPassword = "email.password";
    public const string TelegramToken = "telegram.botToken";
    public const string NtfyToken = "ntfy.token";
}
