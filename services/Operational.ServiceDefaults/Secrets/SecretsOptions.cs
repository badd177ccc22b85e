using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Operational.ServiceDefaults.Hosting;
using Operational.ServiceDefaults.Storage;

namespace Operational.ServiceDefaults.Secrets;

/// <summary>
/// Configuration section <c>Secrets</c>: the key stored secrets are sealed with (<see cref="SecretBox"/>).
/// Without one, a SQLite installation makes its own (<c>secrets.key</c> in the data folder, readable
/// by the owner only); a MongoDB installation must configure one, shared by every replica.
/// </summary>
public sealed class SecretsOptions
{
    public const string SectionName = "Secrets";

    /// <summary>32 random bytes in base64 (<c>openssl rand -base64 32</c>).</summary>
    public string? Key { get; set; }

    /// <summary>Keys used before <see cref="Key"/>, still opening what they sealed until the next start seals it again.</summary>
    public List<string> PreviousKeys { get; set; } = [];
}

internal sealed class SecretsOptionsValidator : IValidateOptions<SecretsOptions>
{
    public ValidateOptionsResult Validate(string? name, SecretsOptions options)
    {
        var failures = new List<string>();
        foreach (var (key, setting) in new[] { (options.Key, "Secrets:Key") }.Concat(options.PreviousKeys.Select(k => ((string?)k, "Secrets:PreviousKeys"))))
        {
            if (key is not null && !IsKey(key))
            {
                failures.Add($"{setting} must be 32 bytes in base64 (44 characters, e.g. from 'openssl rand -base64 32').");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    public static bool IsKey(string text)
    {
        var bytes = new byte[64];
        return Convert.TryFromBase64String(text, bytes, out var length) && length == 32;
    }
}

public static class SecretBoxRegistration
{
    /// <summary>The service's <see cref="SecretBox"/>: the configured key, or for SQLite the data folder's own key file.</summary>
    public static IHostApplicationBuilder AddSecretBox(this IHostApplicationBuilder builder)
    {
        if (builder.Services.Any(d => d.ServiceType == typeof(SecretBox)))
        {
            return builder; // one process hosting several modules (standalone) has one box
        }

        var options = builder.BindValidated<SecretsOptions, SecretsOptionsValidator>(SecretsOptions.SectionName);
        var storage = builder.Configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new StorageOptions();
        if (options.Key is null && storage.Provider == StorageProvider.MongoDb)
        {
            throw new OptionsValidationException(SecretsOptions.SectionName, typeof(SecretsOptions),
                ["Secrets:Key is required with Storage:Provider MongoDb: every replica must seal and open stored secrets with the same key (32 random bytes in base64, e.g. from 'openssl rand -base64 32')."]);
        }

        builder.Services.AddSingleton(provider =>
        {
            var secrets = provider.GetRequiredService<IOptions<SecretsOptions>>().Value;
            var key = secrets.Key is { } configured
                ? Convert.FromBase64String(configured)
                : KeyFile(provider.GetRequiredService<IOptions<StorageOptions>>().Value.Sqlite.DataDirectory);
            return new SecretBox(key, secrets.PreviousKeys.Select(Convert.FromBase64String));
        });
        return builder;
    }

    /// <summary>The installation's own key, made at the first start, readable by the owner only.</summary>
    private static byte[] KeyFile(string dataDirectory)
    {
        var path = Path.Combine(DataFiles.EnsureFolder(dataDirectory), "secrets.key");
        if (!File.Exists(path))
        {
            try
            {
                using var file = DataFiles.CreateOwnerOnly(path);
                file.Write(Convert.ToBase64String(SecretBox.NewKey()).Select(c => (byte)c).ToArray());
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process of this installation made it first: use theirs.
            }
        }

        var text = File.ReadAllText(path).Trim();
        return SecretsOptionsValidator.IsKey(text)
            ? Convert.FromBase64String(text)
            : throw new InvalidOperationException($"'{path}' does not hold a secrets key (32 bytes in base64). Restore it from a backup: without it the stored secrets cannot be opened.");
    }
}
