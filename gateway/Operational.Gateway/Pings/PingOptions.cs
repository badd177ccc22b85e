using Microsoft.Extensions.Options;

namespace Operational.Gateway.Pings;

/// <summary>Configuration section <c>Pings</c>: the job checks' ping URLs (<c>/ping/…</c>).</summary>
public sealed class PingOptions
{
    public const string SectionName = "Pings";

    /// <summary>
    /// Bytes of a ping's body kept as the run's output; the rest is dropped, as Healthchecks does
    /// (announced in each answer's <c>Ping-Body-Limit</c> header).
    /// </summary>
    public int MaxBodyBytes { get; set; } = 100_000;

    /// <summary>Pings one check (one UUID, or one ping key and slug) may send per minute, sustained.</summary>
    public int PerCheckPerMinute { get; set; } = 60;

    /// <summary>Pings one check may send at once before the per-minute rate applies.</summary>
    public int PerCheckBurst { get; set; } = 30;

    /// <summary>
    /// Pings and badge requests one client address may make per minute, whatever check or key they
    /// name: a client trying UUIDs or keys by the thousand is slowed however many it invents.
    /// </summary>
    public int PerAddressPerMinute { get; set; } = 600;
}

internal sealed class PingOptionsValidator : IValidateOptions<PingOptions>
{
    public ValidateOptionsResult Validate(string? name, PingOptions options)
    {
        var failures = new List<string>();
        if (options.MaxBodyBytes is < 0 or > 10_000_000)
        {
            failures.Add($"Pings:MaxBodyBytes must be between 0 and 10000000, not {options.MaxBodyBytes}.");
        }

        if (options.PerCheckPerMinute is < 1 or > 1_000_000)
        {
            failures.Add($"Pings:PerCheckPerMinute must be between 1 and 1000000, not {options.PerCheckPerMinute}.");
        }

        if (options.PerCheckBurst is < 1 or > 1_000_000)
        {
            failures.Add($"Pings:PerCheckBurst must be between 1 and 1000000, not {options.PerCheckBurst}.");
        }

        if (options.PerAddressPerMinute is < 1 or > 1_000_000)
        {
            failures.Add($"Pings:PerAddressPerMinute must be between 1 and 1000000, not {options.PerAddressPerMinute}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
