using Microsoft.Extensions.Options;

namespace Operational.Contexts;

/// <summary>Configuration section <c>Contexts</c>.</summary>
public sealed class ContextsOptions
{
    public const string SectionName = "Contexts";

    public static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(30);

    /// <summary>How long an open context may stay silent before it is stalled, for projects that did not set their own default.</summary>
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often stalls are looked for; completions and failures are announced as soon as they are stored.</summary>
    public TimeSpan StallCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a replica holds a claim on an announcement before another may take it over.</summary>
    public TimeSpan AnnounceLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most events <c>GET /v1/contexts/{contextId}</c> returns (its oldest ones).</summary>
    public int MaxEventsShown { get; set; } = 1000;

    /// <summary>Where the storage service's API is, for the events of a context (distributed mode).</summary>
    public string StorageApi { get; set; } = "http://127.0.0.1:5081";

    /// <summary>How long to wait for the storage service.</summary>
    public TimeSpan StorageTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Days after its last event that a context is deleted, with its entries (its events follow storage's retention).</summary>
    public int RetentionDays { get; set; } = 365;

    /// <summary>How often inactive contexts are looked for.</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromHours(1);

    public int DefaultTimeoutSeconds => (int)DefaultTimeout.TotalSeconds;
}

internal sealed class ContextsOptionsValidator : IValidateOptions<ContextsOptions>
{
    public ValidateOptionsResult Validate(string? name, ContextsOptions options)
    {
        var failures = new List<string>();
        if (options.DefaultTimeout < TimeSpan.FromSeconds(1) || options.DefaultTimeout > ContextsOptions.MaxTimeout)
        {
            failures.Add($"Contexts:DefaultTimeout must be between 00:00:01 and 30.00:00:00, not {options.DefaultTimeout}.");
        }

        if (options.StallCheckInterval < TimeSpan.FromMilliseconds(100) || options.StallCheckInterval > TimeSpan.FromHours(1))
        {
            failures.Add($"Contexts:StallCheckInterval must be between 00:00:00.1 and 01:00:00, not {options.StallCheckInterval}.");
        }

        if (options.AnnounceLease < TimeSpan.FromSeconds(1))
        {
            failures.Add($"Contexts:AnnounceLease must be at least 00:00:01, not {options.AnnounceLease}.");
        }

        if (options.MaxEventsShown is < 1 or > 10_000)
        {
            failures.Add($"Contexts:MaxEventsShown must be between 1 and 10000, not {options.MaxEventsShown}.");
        }

        if (!Uri.TryCreate(options.StorageApi, UriKind.Absolute, out var storage) || (storage.Scheme != Uri.UriSchemeHttp && storage.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"Contexts:StorageApi must be an absolute http(s) URL such as http://storage:8080, not '{options.StorageApi}'.");
        }

        if (options.RetentionDays is < 1 or > 36_500)
        {
            failures.Add($"Contexts:RetentionDays must be between 1 and 36500, not {options.RetentionDays}.");
        }

        if (options.RetentionInterval < TimeSpan.FromSeconds(1))
        {
            failures.Add($"Contexts:RetentionInterval must be at least 00:00:01, not {options.RetentionInterval}.");
        }

        if (options.StorageTimeout <= TimeSpan.Zero)
        {
            failures.Add("Contexts:StorageTimeout must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
