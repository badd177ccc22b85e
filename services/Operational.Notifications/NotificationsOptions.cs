using Microsoft.Extensions.Options;

namespace Operational.Notifications;

/// <summary>Configuration section <c>Notifications</c>.</summary>
public sealed class NotificationsOptions
{
    public const string SectionName = "Notifications";

    public int MaxChannelsPerProject { get; set; } = 100;

    public OutboundOptions Outbound { get; set; } = new();
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
        if (options.MaxChannelsPerProject is < 1 or > 10_000)
        {
            failures.Add($"Notifications:MaxChannelsPerProject must be between 1 and 10000, not {options.MaxChannelsPerProject}.");
        }

        if (options.Outbound.AllowedHosts.Any(string.IsNullOrWhiteSpace))
        {
            failures.Add("Notifications:Outbound:AllowedHosts must not contain empty entries.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
