using Microsoft.Extensions.Options;

namespace Operational.Gateway.RateLimits;

/// <summary>
/// Configuration section <c>RateLimits</c>: how much each caller may ask of the gateway. Token
/// buckets: a caller may spend its burst at once, then as much per second as the bucket refills.
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";

    /// <summary>Off only for benchmarks of the machine's ceiling; a public gateway keeps them on.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Requests per second one API key (or one signed-in operator) may make, sustained. A batch
    /// request counts once, however many events it carries.
    /// </summary>
    public int PerKeyPerSecond { get; set; } = 500;

    /// <summary>Requests one API key may make at once before the per-second rate applies.</summary>
    public int PerKeyBurst { get; set; } = 1_000;

    /// <summary>
    /// Requests per minute one client address may make to authenticated endpoints without valid
    /// credentials (a wrong, revoked or missing key): guessing keys stays slow.
    /// </summary>
    public int UnauthenticatedPerMinute { get; set; } = 60;

    /// <summary>Such requests one address may make at once.</summary>
    public int UnauthenticatedBurst { get; set; } = 60;
}

internal sealed class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
    {
        var failures = new List<string>();
        Check(options.PerKeyPerSecond, "PerKeyPerSecond", 1, 10_000_000);
        Check(options.PerKeyBurst, "PerKeyBurst", 1, 10_000_000);
        Check(options.UnauthenticatedPerMinute, "UnauthenticatedPerMinute", 1, 1_000_000);
        Check(options.UnauthenticatedBurst, "UnauthenticatedBurst", 1, 1_000_000);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Check(int value, string setting, int min, int max)
        {
            if (value < min || value > max)
            {
                failures.Add($"RateLimits:{setting} must be between {min} and {max}, not {value}.");
            }
        }
    }
}
