using Microsoft.Extensions.Options;
using Operational.Gateway.Identity;
using Operational.Gateway.Operators;
using Operational.ServiceDefaults.Identity;

namespace Operational.Gateway.Bootstrap;

/// <summary>
/// While the installation has no API key at all, creates
/// project <c>default</c> with one admin and one ingest key. Generated keys are printed once
/// to the console and never again (only their hashes are stored); preset keys are not
/// printed. Every step is idempotent, so a crash half-way or several replicas starting at
/// once still end with usable keys. Likewise, while there is no operator, it creates the first
/// one (an admin) for the dashboard.
/// </summary>
internal sealed class ProjectBootstrapper(
    IIdentityStore store,
    IOperatorStore operators,
    OperatorPasswords passwords,
    IOptions<BootstrapOptions> options,
    TimeProvider clock,
    ILogger<ProjectBootstrapper> logger) : IHostedService
{
    /// <summary>Where generated keys are printed; the console unless a test captures it.</summary>
    internal TextWriter Output { get; init; } = Console.Out;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        await CreateKeysAsync(lines, cancellationToken);
        await CreateOperatorAsync(lines, cancellationToken);
        if (lines.Count > 0)
        {
            Print(lines);
        }
    }

    private async Task CreateKeysAsync(List<string> lines, CancellationToken cancellationToken)
    {
        var preset = options.Value;
        if (await store.AnyKeyAsync(cancellationToken))
        {
            if (!await IsKnownAsync(preset.AdminKey, cancellationToken) || !await IsKnownAsync(preset.IngestKey, cancellationToken))
            {
                logger.LogWarning("Bootstrap keys are configured but the installation already has API keys; bootstrap keys apply only to an empty installation and were ignored");
            }

            return;
        }

        var now = clock.GetUtcNow();
        await store.TryCreateProjectAsync(new Project(Project.DefaultId, "Default", now), cancellationToken);

        var adminKey = preset.AdminKey ?? ApiKeySecrets.Generate(ApiScopes.Admin);
        var ingestKey = preset.IngestKey ?? ApiKeySecrets.Generate(ApiScopes.Ingest);
        await store.TryAddKeyAsync(ApiKeySecrets.Describe(adminKey, Project.DefaultId, "admin (bootstrap)", [ApiScopes.Admin], now), cancellationToken);
        await store.TryAddKeyAsync(ApiKeySecrets.Describe(ingestKey, Project.DefaultId, "ingest (bootstrap)", [ApiScopes.Ingest], now), cancellationToken);
        logger.LogInformation("Created project '{Project}' with an admin key and an ingest key", Project.DefaultId);

        lines.Add("Created project 'default' with two API keys:");
        lines.Add($"  admin key  (read, manage, send): {(preset.AdminKey is null ? adminKey : "(preset by Bootstrap:AdminKey)")}");
        lines.Add($"  ingest key (send events only):   {(preset.IngestKey is null ? ingestKey : "(preset by Bootstrap:IngestKey)")}");
    }

    private async Task CreateOperatorAsync(List<string> lines, CancellationToken cancellationToken)
    {
        if (await operators.AnyOperatorAsync(cancellationToken))
        {
            return;
        }

        var preset = options.Value;
        var username = Usernames.Normalize(preset.OperatorUsername);
        var password = preset.OperatorPassword ?? OperatorPasswords.Generate();
        var now = clock.GetUtcNow();
        var account = new Operator("op_" + Guid.CreateVersion7(now).ToString("N"), username, passwords.Hash(password), OperatorRoles.Admin, now);
        if (!await operators.TryAddOperatorAsync(account, cancellationToken))
        {
            return; // another replica created it at the same moment, and printed it
        }

        logger.LogInformation("Created the dashboard operator '{Username}' (admin)", username);
        if (lines.Count > 0)
        {
            lines.Add("");
        }

        lines.Add("Created the dashboard's first operator (admin); sign in at the gateway's address:");
        lines.Add($"  username: {username}");
        lines.Add($"  password: {(preset.OperatorPassword is null ? password : "(preset by Bootstrap:OperatorPassword)")}");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task<bool> IsKnownAsync(string? key, CancellationToken cancellationToken) =>
        key is null || await store.FindKeyByHashAsync(ApiKeySecrets.Hash(key), cancellationToken) is not null;

    /// <summary>Straight to stdout rather than the log: secrets must not end up in log storage.</summary>
    private void Print(IEnumerable<string> lines)
    {
        var rule = new string('=', 78);
        Output.WriteLine();
        Output.WriteLine(rule);
        Output.WriteLine(" Operational: first start. Shown only this once; keep them somewhere safe.");
        Output.WriteLine();
        foreach (var line in lines)
        {
            Output.WriteLine(line.Length == 0 ? "" : "   " + line);
        }

        Output.WriteLine(rule);
        Output.WriteLine();
        Output.Flush();
    }
}
