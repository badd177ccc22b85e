using Microsoft.Extensions.Options;

namespace Operational.Gateway.Sessions;

/// <summary>Configuration section <c>Sessions</c>: dashboard sign-in.</summary>
public sealed class OperatorSessionOptions
{
    public const string SectionName = "Sessions";

    /// <summary>How long a sign-in lasts before the operator must sign in again.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How long a session lookup is remembered. Bounds how long a signed-out or deleted
    /// operator's session keeps working on another gateway replica.
    /// </summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Sign-in attempts allowed per client address per minute; more are answered 429.</summary>
    public int SignInAttemptsPerMinute { get; set; } = 10;
}

internal sealed class OperatorSessionOptionsValidator : IValidateOptions<OperatorSessionOptions>
{
    public ValidateOptionsResult Validate(string? name, OperatorSessionOptions options)
    {
        var failures = new List<string>();
        if (options.Lifetime < TimeSpan.FromMinutes(5) || options.Lifetime > TimeSpan.FromDays(400))
        {
            failures.Add($"Sessions:Lifetime must be between 00:05:00 and 400.00:00:00, not {options.Lifetime}.");
        }

        if (options.CacheDuration < TimeSpan.Zero || options.CacheDuration > TimeSpan.FromMinutes(5))
        {
            failures.Add($"Sessions:CacheDuration must be between 00:00:00 and 00:05:00, not {options.CacheDuration}.");
        }

        if (options.SignInAttemptsPerMinute is < 1 or > 10_000)
        {
            failures.Add($"Sessions:SignInAttemptsPerMinute must be between 1 and 10000, not {options.SignInAttemptsPerMinute}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
