using Microsoft.Extensions.Options;

namespace Operational.Storage.LiveFeed;

/// <summary>Configuration section <c>Storage:LiveFeed</c>: <c>GET /v1/events/stream</c>.</summary>
public sealed class LiveFeedOptions
{
    public const string SectionName = "Storage:LiveFeed";

    /// <summary>
    /// How often an open stream looks for events stored by any replica. Events this replica
    /// stores wake it at once; the interval bounds the delay for the others'.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>A comment line after this much silence keeps proxies from closing an idle stream.</summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Streams one API key (or signed-in operator) may have open at once; more get 429.</summary>
    public int MaxStreamsPerKey { get; set; } = 20;

    /// <summary>Streams this process serves at once, all projects together; more get 429.</summary>
    public int MaxStreams { get; set; } = 1_000;
}

internal sealed class LiveFeedOptionsValidator : IValidateOptions<LiveFeedOptions>
{
    public ValidateOptionsResult Validate(string? name, LiveFeedOptions options)
    {
        var failures = new List<string>();
        if (options.PollInterval < TimeSpan.FromMilliseconds(10) || options.PollInterval > TimeSpan.FromSeconds(10))
        {
            failures.Add($"Storage:LiveFeed:PollInterval must be between 00:00:00.010 and 00:00:10, not {options.PollInterval}.");
        }

        if (options.Heartbeat < TimeSpan.FromSeconds(1) || options.Heartbeat > TimeSpan.FromMinutes(5))
        {
            failures.Add($"Storage:LiveFeed:Heartbeat must be between 00:00:01 and 00:05:00, not {options.Heartbeat}.");
        }

        if (options.MaxStreamsPerKey is < 1 or > 100_000)
        {
            failures.Add($"Storage:LiveFeed:MaxStreamsPerKey must be between 1 and 100000, not {options.MaxStreamsPerKey}.");
        }

        if (options.MaxStreams is < 1 or > 1_000_000)
        {
            failures.Add($"Storage:LiveFeed:MaxStreams must be between 1 and 1000000, not {options.MaxStreams}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
