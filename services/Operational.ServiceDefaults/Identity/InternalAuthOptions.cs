using Microsoft.Extensions.Options;

namespace Operational.ServiceDefaults.Identity;

/// <summary>
/// Configuration section <c>InternalAuth</c>: the secret the gateway signs forwarded
/// identities with. Every distributed process needs the same value; the standalone host
/// needs none because nothing is forwarded.
/// </summary>
public sealed class InternalAuthOptions
{
    public const string SectionName = "InternalAuth";

    public const int MinimumSecretLength = 32;

    public string? Secret { get; set; }

    /// <summary>How long a signed identity stays valid; also the clock skew tolerated between hosts.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromSeconds(60);
}

public sealed class InternalAuthOptionsValidator : IValidateOptions<InternalAuthOptions>
{
    public ValidateOptionsResult Validate(string? name, InternalAuthOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Secret))
        {
            failures.Add("InternalAuth:Secret is required in distributed mode: set the same random value (at least 32 characters) on the gateway and every service, e.g. env InternalAuth__Secret=$(openssl rand -hex 32).");
        }
        else if (options.Secret.Length < InternalAuthOptions.MinimumSecretLength)
        {
            failures.Add($"InternalAuth:Secret must be at least {InternalAuthOptions.MinimumSecretLength} characters; it has {options.Secret.Length}.");
        }

        if (options.TokenLifetime <= TimeSpan.Zero || options.TokenLifetime > TimeSpan.FromMinutes(10))
        {
            failures.Add("InternalAuth:TokenLifetime must be between 00:00:01 and 00:10:00.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
