using System.Text.Json;
using Operational.Contracts.Api;
using Operational.Notifications.Channels;
using Operational.ServiceDefaults.Secrets;

namespace Operational.Notifications.Storage;

/// <summary>
/// How both notifications stores keep what must stay secret: a channel definition is one JSON
/// document whose secret fields (webhook secret, Slack and Discord URLs, email password, Telegram
/// bot token, ntfy token) are sealed; projects' action secrets and the VAPID private key are sealed
/// too. Each is sealed for its place (the channel and field, the project), so a sealed value moved
/// elsewhere in the database does not open. Values stored before secrets were sealed open as they
/// are, and are sealed by <see cref="ISecretResealing.ResealSecretsAsync"/> at the next start.
/// </summary>
public sealed class StoredSecrets(SecretBox box)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string WriteChannel(Channel channel) =>
        JsonSerializer.Serialize(Map(channel.Definition, (value, field) => box.Seal(value, Purpose(channel.ProjectId, channel.Id, field))), Json);

    public ChannelDefinition ReadChannel(string projectId, string channelId, string json) =>
        Map(Parse(json), (value, field) => box.Open(value, Purpose(projectId, channelId, field)));

    /// <summary>Whether every secret of a stored channel is sealed with the current key.</summary>
    public bool ChannelIsCurrent(string json)
    {
        var current = true;
        Map(Parse(json), (value, _) =>
        {
            current &= box.IsCurrent(value);
            return value;
        });
        return current;
    }

    public string SealActionSecret(string projectId, string secret) => box.Seal(secret, "action-secret:" + projectId);

    public string OpenActionSecret(string projectId, string stored) => box.Open(stored, "action-secret:" + projectId);

    public bool IsCurrent(string stored) => box.IsCurrent(stored);

    public byte[] SealVapidKey(byte[] privateKey) => box.Seal(privateKey, "vapid-private-key");

    public byte[] OpenVapidKey(byte[] stored) => box.Open(stored, "vapid-private-key");

    public bool IsCurrent(byte[] stored) => box.IsCurrent(stored);

    private static string Purpose(string projectId, string channelId, string field) => $"channel:{projectId}/{channelId}/{field}";

    private static ChannelDefinition Parse(string json) =>
        JsonSerializer.Deserialize<ChannelDefinition>(json, Json) ?? throw new InvalidDataException("A stored channel is empty.");

    /// <summary>The definition with each secret field passed through <paramref name="map"/> (value, field name).</summary>
    private static ChannelDefinition Map(ChannelDefinition d, Func<string, string, string> map)
    {
        string? Each(string? value, string field) => value is null ? null : map(value, field);
        return d with
        {
            Webhook = d.Webhook is null ? null : d.Webhook with { Secret = Each(d.Webhook.Secret, ChannelSecretFields.WebhookSecret) },
            Slack = d.Slack is null ? null : new(Each(d.Slack.WebhookUrl, ChannelSecretFields.SlackUrl)),
            Discord = d.Discord is null ? null : new(Each(d.Discord.WebhookUrl, ChannelSecretFields.DiscordUrl)),
            Email = d.Email is null ? null : d.Email with { Password = Each(d.Email.Password, ChannelSecretFields.EmailPassword) },
            Telegram = d.Telegram is null ? null : d.Telegram with { BotToken = Each(d.Telegram.BotToken, ChannelSecretFields.TelegramToken) },
            Ntfy = d.Ntfy is null ? null : d.Ntfy with { Token = Each(d.Ntfy.Token, ChannelSecretFields.NtfyToken) },
        };
    }
}

/// <summary>Seals again whatever is not sealed with the current key (plaintext from before, or a previous key).</summary>
public interface ISecretResealing
{
    /// <returns>How many values were sealed again.</returns>
    Task<int> ResealSecretsAsync(CancellationToken cancellationToken);
}

/// <summary>At start, seals every stored secret with the current key, after a rotation or an upgrade.</summary>
internal sealed class SecretResealing(ISecretResealing store, ILogger<SecretResealing> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (await store.ResealSecretsAsync(cancellationToken) is > 0 and var count)
        {
            logger.LogInformation("Sealed {Count} stored secrets with the current key (Secrets:Key)", count);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
