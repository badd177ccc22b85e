using Microsoft.Extensions.Options;
using Operational.Storage.Events;

namespace Operational.Storage.Retention;

/// <summary>Configuration section <c>Storage:Retention</c>: how long events are kept unless a project sets its own.</summary>
public sealed class RetentionOptions
{
    public const string SectionName = "Storage:Retention";

    public int LiveDays { get; set; } = 365;

    public int TestDays { get; set; } = 7;

    /// <summary>How often expired events are looked for.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Events deleted per transaction; small enough that ingest never waits long for the writer.</summary>
    public int BatchSize { get; set; } = 1000;

    public RetentionPolicy Defaults => new(LiveDays, TestDays);
}

internal sealed class RetentionOptionsValidator : IValidateOptions<RetentionOptions>
{
    public ValidateOptionsResult Validate(string? name, RetentionOptions options)
    {
        var failures = new List<string>();
        if (options.LiveDays is < 1 or > RetentionPolicy.MaxDays)
        {
            failures.Add($"Storage:Retention:LiveDays must be between 1 and {RetentionPolicy.MaxDays}, not {options.LiveDays}.");
        }

        if (options.TestDays is < 1 or > RetentionPolicy.MaxDays)
        {
            failures.Add($"Storage:Retention:TestDays must be between 1 and {RetentionPolicy.MaxDays}, not {options.TestDays}.");
        }

        if (options.Interval < TimeSpan.FromSeconds(1))
        {
            failures.Add($"Storage:Retention:Interval must be at least 00:00:01, not {options.Interval}.");
        }

        if (options.BatchSize is < 1 or > 100_000)
        {
            failures.Add($"Storage:Retention:BatchSize must be between 1 and 100000, not {options.BatchSize}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
