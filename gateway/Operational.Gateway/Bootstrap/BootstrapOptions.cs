using Microsoft.Extensions.Options;
using Operational.Gateway.Identity;
using Operational.Gateway.Operators;

namespace Operational.Gateway.Bootstrap;

/// <summary>
/// Configuration section <c>Bootstrap</c>: keys to create instead of random ones when the
/// installation is empty, and the first dashboard operator, for automation (CI, provisioning scripts).
/// </summary>
public sealed class BootstrapOptions
{
    public const string SectionName = "Bootstrap";

    /// <summary>Env <c>Bootstrap__AdminKey</c>.</summary>
    public string? AdminKey { get; set; }

    /// <summary>Env <c>Bootstrap__IngestKey</c>.</summary>
    public string? IngestKey { get; set; }

    /// <summary>Env <c>Bootstrap__OperatorUsername</c>: the first operator, created while there is none.</summary>
    public string OperatorUsername { get; set; } = "admin";

    /// <summary>Env <c>Bootstrap__OperatorPassword</c>: the first operator's password; generated and printed once when unset.</summary>
    public string? OperatorPassword { get; set; }
}

internal sealed class BootstrapOptionsValidator : IValidateOptions<BootstrapOptions>
{
    public ValidateOptionsResult Validate(string? name, BootstrapOptions options)
    {
        var failures = new List<string>();
        Check("Bootstrap:AdminKey", options.AdminKey, failures);
        Check("Bootstrap:IngestKey", options.IngestKey, failures);
        if (!Usernames.IsValid(Usernames.Normalize(options.OperatorUsername)))
        {
            failures.Add($"Bootstrap:OperatorUsername must be 1 to {Usernames.MaxLength} letters, digits, '.', '-', '_' or '@'.");
        }

        if (options.OperatorPassword is not null && OperatorPasswords.Problem(options.OperatorPassword) is { } problem)
        {
            failures.Add($"Bootstrap:OperatorPassword {problem}.");
        }

        if (options.AdminKey is not null && options.AdminKey == options.IngestKey)
        {
            failures.Add("Bootstrap:AdminKey and Bootstrap:IngestKey must differ: the ingest key is meant to be shipped in apps.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(string setting, string? key, List<string> failures)
    {
        if (key is null)
        {
            return;
        }

        if (key.Length < ApiKeySecrets.MinimumLength || key.Length > 256)
        {
            failures.Add($"{setting} must be {ApiKeySecrets.MinimumLength} to 256 characters long; it has {key.Length}.");
        }
        else if (key.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            failures.Add($"{setting} must not contain spaces or control characters.");
        }
    }
}
