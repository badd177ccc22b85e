using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Operational.Notifications.Channels;
using Operational.Notifications.Outbound;
using Operational.Notifications.Webhooks;

namespace Operational.Notifications.Deliveries.Senders;

/// <summary>
/// A JSON POST signed per Standard Webhooks: <c>{"type", "timestamp", "data"}</c>, with the same
/// <c>webhook-id</c> on every retry of one message.
/// </summary>
public sealed class WebhookSender(IHttpClientFactory http, TimeProvider clock) : IChannelSender
{
    public string Kind => ChannelKinds.Webhook;

    public async Task<AttemptResult> SendAsync(Channel channel, Delivery delivery, CancellationToken cancellationToken)
    {
        var settings = channel.Definition.Webhook!;
        var now = clock.GetUtcNow();
        var message = delivery.Message;
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            type = message.Type,
            timestamp = now,
            data = message.Data ?? JsonSerializer.SerializeToElement(new { title = message.Title, body = message.Body, level = message.Level, url = message.Url }),
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, settings.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        foreach (var (name, value) in WebhookSignature.Headers(settings.Secret!, delivery.SourceId, now, body))
        {
            request.Headers.Add(name, value);
        }

        using var response = await http.CreateClient(OutboundHttp.ClientName).SendAsync(request, cancellationToken);
        return await HttpOutcome.ReadAsync(response, clock, cancellationToken);
    }
}

/// <summary>A Slack incoming webhook: the title in bold with the level's emoji, then the body.</summary>
public sealed class SlackSender(IHttpClientFactory http, TimeProvider clock) : IChannelSender
{
    public string Kind => ChannelKinds.Slack;

    public async Task<AttemptResult> SendAsync(Channel channel, Delivery delivery, CancellationToken cancellationToken)
    {
        var m = delivery.Message;
        var text = $"{LevelLook.Emoji(m.Level)} *{Escape(m.Title)}*\n{Escape(m.Body)}";
        using var response = await http.CreateClient(OutboundHttp.ClientName).PostAsJsonAsync(channel.Definition.Slack!.WebhookUrl, new { text }, cancellationToken);
        return await HttpOutcome.ReadAsync(response, clock, cancellationToken);
    }

    /// <summary>Slack's mrkdwn reserves &amp;, &lt; and &gt;.</summary>
    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}

/// <summary>
/// A Discord webhook: one embed colored by level. An alert's resolution edits the message that
/// announced it (Discord returns its id when asked to wait), when it can find it.
/// </summary>
public sealed class DiscordSender(IHttpClientFactory http, IDeliveryStore deliveries, TimeProvider clock) : IChannelSender
{
    public string Kind => ChannelKinds.Discord;

    public async Task<AttemptResult> SendAsync(Channel channel, Delivery delivery, CancellationToken cancellationToken)
    {
        var m = delivery.Message;
        var payload = new JsonObject
        {
            ["embeds"] = new JsonArray(new JsonObject
            {
                ["title"] = Truncate($"{LevelLook.Emoji(m.Level)} {m.Title}", 256),
                ["description"] = Truncate(m.Body, 4096),
                ["color"] = LevelLook.Color(m.Level),
                ["timestamp"] = delivery.CreatedAt.ToString("O"),
            }),
            ["allowed_mentions"] = new JsonObject { ["parse"] = new JsonArray() }, // never ping @everyone from an event's text
        };
        var webhook = channel.Definition.Discord!.WebhookUrl!;
        var client = http.CreateClient(OutboundHttp.ClientName);
        using var response = await AlertAnnouncements.RemoteIdAsync(deliveries, delivery, cancellationToken) is { } messageId
            ? await client.PatchAsJsonAsync($"{webhook}/messages/{Uri.EscapeDataString(messageId)}", payload, cancellationToken)
            : await client.PostAsJsonAsync($"{webhook}?wait=true", payload, cancellationToken);
        var body = response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync(cancellationToken) : null;
        var result = await HttpOutcome.ReadAsync(response, clock, cancellationToken);
        return body is null ? result : result with { RemoteId = AlertAnnouncements.Read(body, "id") };
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}

/// <summary>An ntfy topic, published as JSON so titles may hold any character.</summary>
public sealed class NtfySender(IHttpClientFactory http, TimeProvider clock) : IChannelSender
{
    public string Kind => ChannelKinds.Ntfy;

    public async Task<AttemptResult> SendAsync(Channel channel, Delivery delivery, CancellationToken cancellationToken)
    {
        var settings = channel.Definition.Ntfy!;
        var m = delivery.Message;
        using var request = new HttpRequestMessage(HttpMethod.Post, settings.ServerUrl!.TrimEnd('/'))
        {
            Content = JsonContent.Create(new
            {
                topic = settings.Topic,
                title = m.Title,
                message = m.Body,
                priority = LevelLook.NtfyPriority(m.Level),
                tags = new[] { LevelLook.NtfyTag(m.Level) },
            }),
        };
        if (settings.Token is { } token)
        {
            request.Headers.Authorization = new("Bearer", token);
        }

        using var response = await http.CreateClient(OutboundHttp.ClientName).SendAsync(request, cancellationToken);
        return await HttpOutcome.ReadAsync(response, clock, cancellationToken);
    }
}

/// <summary>
/// A Telegram bot's <c>sendMessage</c> to the channel's chat; an alert's resolution edits the
/// message that announced it (<c>editMessageText</c>) instead of adding one, when it can find it.
/// </summary>
public sealed class TelegramSender(IHttpClientFactory http, IOptions<NotificationsOptions> options, IDeliveryStore deliveries, TimeProvider clock) : IChannelSender
{
    public string Kind => ChannelKinds.Telegram;

    public async Task<AttemptResult> SendAsync(Channel channel, Delivery delivery, CancellationToken cancellationToken)
    {
        var settings = channel.Definition.Telegram!;
        var m = delivery.Message;
        var text = $"{LevelLook.Emoji(m.Level)} {m.Title}\n{m.Body}";
        var client = http.CreateClient(OutboundHttp.ClientName);
        var api = $"{options.Value.TelegramApi.TrimEnd('/')}/bot{settings.BotToken}";
        HttpResponseMessage response;
        if (await AlertAnnouncements.RemoteIdAsync(deliveries, delivery, cancellationToken) is { } announced && long.TryParse(announced, NumberStyles.None, CultureInfo.InvariantCulture, out var messageId))
        {
            response = await client.PostAsJsonAsync($"{api}/editMessageText",
                new { chat_id = settings.ChatId, message_id = messageId, text, disable_web_page_preview = true }, cancellationToken);
        }
        else
        {
            response = await client.PostAsJsonAsync($"{api}/sendMessage", new { chat_id = settings.ChatId, text, disable_web_page_preview = true }, cancellationToken);
        }

        using (response)
        {
            var body = response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync(cancellationToken) : null;
            var result = await HttpOutcome.ReadAsync(response, clock, cancellationToken);
            // The token is part of the URL: never let it reach a stored error.
            result = result.Error is { } error ? result with { Error = error.Replace(settings.BotToken!, "<token>", StringComparison.Ordinal) } : result;
            return body is null ? result : result with { RemoteId = MessageId(body) };
        }
    }

    /// <summary>Telegram answers <c>{"ok": true, "result": {"message_id": 42, …}}</c>.</summary>
    private static string? MessageId(string body) => AlertAnnouncements.Read(body, "result", "message_id");
}

/// <summary>How a channel that can edit its messages finds the one that announced an alert.</summary>
internal static class AlertAnnouncements
{
    /// <summary>For an alert's acknowledgement or resolution: what the channel called the message of the delivery that announced the alert to it, if that got one.</summary>
    public static async Task<string?> RemoteIdAsync(IDeliveryStore deliveries, Delivery delivery, CancellationToken cancellationToken)
    {
        if (delivery.Message.Type is not ("alert.resolved" or "alert.acknowledged") || delivery.Message.Data is not { ValueKind: JsonValueKind.Object } data
            || !data.TryGetProperty("alertId", out var alertId) || alertId.GetString() is not { } id)
        {
            return null;
        }

        return await deliveries.RemoteIdAsync(Delivery.IdFor($"alert:{id}:triggered", delivery.ChannelId), cancellationToken);
    }

    /// <summary>A string or number at <paramref name="path"/> in a JSON answer, as text; null when absent or not JSON.</summary>
    public static string? Read(string body, params string[] path)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var element = json.RootElement;
            foreach (var part in path)
            {
                if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(part, out element))
                {
                    return null;
                }
            }

            return element.ValueKind switch
            {
                JsonValueKind.String => element.GetString(),
                JsonValueKind.Number => element.GetRawText(),
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>How each channel shows a level.</summary>
internal static class LevelLook
{
    public static string Emoji(string level) => level switch
    {
        "error" => "🚨",
        "warning" => "⚠️",
        "success" => "✅",
        _ => "ℹ️",
    };

    public static int Color(string level) => level switch
    {
        "error" => 0xD7263D,
        "warning" => 0xF4A259,
        "success" => 0x2E9E5B,
        _ => 0x3B82F6,
    };

    public static int NtfyPriority(string level) => level switch
    {
        "error" => 5,
        "warning" => 4,
        _ => 3,
    };

    public static string NtfyTag(string level) => level switch
    {
        "error" => "rotating_light",
        "warning" => "warning",
        "success" => "white_check_mark",
        _ => "information_source",
    };
}
