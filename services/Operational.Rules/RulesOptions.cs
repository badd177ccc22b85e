using Microsoft.Extensions.Options;

namespace Operational.Rules;

/// <summary>Configuration section <c>Rules</c>.</summary>
public sealed class RulesOptions
{
    public const string SectionName = "Rules";

    /// <summary>Most rules one project may have.</summary>
    public int MaxRulesPerProject { get; set; } = 20_000;

    /// <summary>How often queued alert messages are looked for when no change on this replica woke the publisher.</summary>
    public TimeSpan OutboxPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Hangfire workers running rule checks in this process.</summary>
    public int CheckWorkers { get; set; } = 4;

    /// <summary>How often Hangfire looks for recurring checks that are due.</summary>
    public TimeSpan SchedulePollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the rules' checks in Hangfire are compared with the stored rules, and any missing or changed one put back.</summary>
    public TimeSpan ScheduleSyncInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Where the notifications service's API is, to check a rule's channel ids (distributed mode).</summary>
    public string NotificationsApi { get; set; } = "http://127.0.0.1:5084";

    /// <summary>How long to wait for it.</summary>
    public TimeSpan NotificationsTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the acknowledge link in an alert's message works (each reminder carries a fresh one).</summary>
    public TimeSpan AcknowledgeLinkLifetime { get; set; } = TimeSpan.FromHours(24);
}

internal sealed class RulesOptionsValidator : IValidateOptions<RulesOptions>
{
    public ValidateOptionsResult Validate(string? name, RulesOptions options)
    {
        var failures = new List<string>();
        if (options.MaxRulesPerProject is < 1 or > 1_000_000)
        {
            failures.Add($"Rules:MaxRulesPerProject must be between 1 and 1000000, not {options.MaxRulesPerProject}.");
        }

        if (options.OutboxPollInterval < TimeSpan.FromMilliseconds(50) || options.OutboxPollInterval > TimeSpan.FromMinutes(1))
        {
            failures.Add($"Rules:OutboxPollInterval must be between 00:00:00.05 and 00:01:00, not {options.OutboxPollInterval}.");
        }

        if (options.CheckWorkers is < 1 or > 64)
        {
            failures.Add($"Rules:CheckWorkers must be between 1 and 64, not {options.CheckWorkers}.");
        }

        if (options.SchedulePollingInterval < TimeSpan.FromMilliseconds(100) || options.SchedulePollingInterval > TimeSpan.FromMinutes(1))
        {
            failures.Add($"Rules:SchedulePollingInterval must be between 00:00:00.1 and 00:01:00, not {options.SchedulePollingInterval}.");
        }

        if (options.ScheduleSyncInterval < TimeSpan.FromSeconds(1) || options.ScheduleSyncInterval > TimeSpan.FromHours(1))
        {
            failures.Add($"Rules:ScheduleSyncInterval must be between 00:00:01 and 01:00:00, not {options.ScheduleSyncInterval}.");
        }

        if (!Uri.TryCreate(options.NotificationsApi, UriKind.Absolute, out var api) || (api.Scheme != Uri.UriSchemeHttp && api.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"Rules:NotificationsApi must be an absolute http(s) URL such as http://notifications:8080, not '{options.NotificationsApi}'.");
        }

        if (options.NotificationsTimeout <= TimeSpan.Zero)
        {
            failures.Add("Rules:NotificationsTimeout must be positive.");
        }

        if (options.AcknowledgeLinkLifetime < TimeSpan.FromMinutes(5) || options.AcknowledgeLinkLifetime > TimeSpan.FromDays(30))
        {
            failures.Add($"Rules:AcknowledgeLinkLifetime must be between 00:05:00 and 30.00:00:00, not {options.AcknowledgeLinkLifetime}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
