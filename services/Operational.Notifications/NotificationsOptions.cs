using Microsoft.Extensions.Options;

namespace Operational.Notifications;

/// <summary>Configuration section <c>Notifications</c>.</summary>
public sealed class NotificationsOptions
{
    public const string SectionName = "Notifications";

    public int MaxChannelsPerProject { get; set; } = 100;

    public OutboundOptions Outbound { get; set; } = new();

    public DeliveryOptions Delivery { get; set; } = new();

    public PushOptions Push { get; set; } = new();

    /// <summary>Where the storage service's API is, to read an event whose action is pressed (distributed mode).</summary>
    public string StorageApi { get; set; } = "http://127.0.0.1:5081";

    /// <summary>Where Telegram's Bot API is (a test stub, or a self-hosted Bot API server).</summary>
    public string TelegramApi { get; set; } = "https://api.telegram.org";

    /// <summary>
    /// The installation's address as people reach it (e.g. https://ops.example.com): links in
    /// messages (the dashboard's page, an alert's acknowledge link) start with it. Unset, they are
    /// paths, which a mail or chat client cannot open.
    /// </summary>
    public string? PublicUrl { get; set; }
}

/// <summary>Configuration section <c>Notifications:Push</c>.</summary>
public sealed class PushOptions
{
    /// <summary>
    /// Who push services may contact about this installation (RFC 8292 <c>sub</c>): a <c>mailto:</c>
    /// or <c>https:</c> URI. Set it to an address you read; some push services refuse placeholders.
    /// </summary>
    public string Subject { get; set; } = "mailto:operational@example.invalid";
}

/// <summary>Configuration section <c>Notifications:Delivery</c>: attempts, backoff and isolation.</summary>
public sealed class DeliveryOptions
{
    /// <summary>Attempts per delivery before it is marked failed.</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>The wait before the second attempt; doubled for each one after, with jitter.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long one attempt may take before it counts as failed.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts in flight in this process.</summary>
    public int MaxInFlight { get; set; } = 64;

    /// <summary>Attempts in flight to one channel: a slow channel holds at most this many slots.</summary>
    public int MaxInFlightPerChannel { get; set; } = 4;

    /// <summary>How often due deliveries are looked for when nothing new woke the dispatcher.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>Configuration section <c>Notifications:Outbound</c>: where outbound calls may go.</summary>
public sealed class OutboundOptions
{
    /// <summary>
    /// Host names (or literal addresses) allowed although they are loopback, private or link-local,
    /// e.g. a self-hosted ntfy on the LAN. Empty by default: such destinations are refused.
    /// </summary>
    public string[] AllowedHosts { get; set; } = [];
}

internal sealed class NotificationsOptionsValidator : IValidateOptions<NotificationsOptions>
{
    public ValidateOptionsResult Validate(string? name, NotificationsOptions options)
    {
        var failures = new List<string>();
        if (options.PublicUrl is { } publicUrl && (!Uri.TryCreate(publicUrl, UriKind.Absolute, out var address) || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps)))
        {
            failures.Add($"Notifications:PublicUrl must be an absolute http(s) URL such as https://ops.example.com, not '{publicUrl}'.");
        }

        if (options.MaxChannelsPerProject is < 1 or > 10_000)
        {
            failures.Add($"Notifications:MaxChannelsPerProject must be between 1 and 10000, not {options.MaxChannelsPerProject}.");
        }

        var d = options.Delivery;
        if (d.MaxAttempts is < 1 or > 50)
        {
            failures.Add($"Notifications:Delivery:MaxAttempts must be between 1 and 50, not {d.MaxAttempts}.");
        }

        if (d.BaseDelay <= TimeSpan.Zero || d.MaxDelay < d.BaseDelay)
        {
            failures.Add("Notifications:Delivery:BaseDelay must be positive and MaxDelay at least BaseDelay.");
        }

        if (d.AttemptTimeout <= TimeSpan.Zero || d.AttemptTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"Notifications:Delivery:AttemptTimeout must be between 0 and 00:05:00, not {d.AttemptTimeout}.");
        }

        if (d.MaxInFlight is < 1 or > 10_000 || d.MaxInFlightPerChannel < 1 || d.MaxInFlightPerChannel > d.MaxInFlight)
        {
            failures.Add("Notifications:Delivery:MaxInFlight must be 1–10000 and MaxInFlightPerChannel between 1 and MaxInFlight.");
        }

        if (d.PollInterval < TimeSpan.FromMilliseconds(50) || d.PollInterval > TimeSpan.FromMinutes(1))
        {
            failures.Add($"Notifications:Delivery:PollInterval must be between 00:00:00.05 and 00:01:00, not {d.PollInterval}.");
        }

        if (!Uri.TryCreate(options.StorageApi, UriKind.Absolute, out _))
        {
            failures.Add($"Notifications:StorageApi must be an absolute URL such as http://storage:8080, not '{options.StorageApi}'.");
        }

        if (!Uri.TryCreate(options.TelegramApi, UriKind.Absolute, out _))
        {
            failures.Add($"Notifications:TelegramApi must be an absolute URL, not '{options.TelegramApi}'.");
        }

        if (!options.Push.Subject.StartsWith("mailto:", StringComparison.Ordinal) && !options.Push.Subject.StartsWith("https://", StringComparison.Ordinal))
        {
            failures.Add($"Notifications:Push:Subject must be a mailto: or https:// URI, not '{options.Push.Subject}'.");
        }

        if (options.Outbound.AllowedHosts.Any(string.IsNullOrWhiteSpace))
        {
            failures.Add("Notifications:Outbound:AllowedHosts must not contain empty entries.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
