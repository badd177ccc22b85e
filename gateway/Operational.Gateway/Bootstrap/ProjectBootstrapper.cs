using Microsoft.Extensions.Options;
using Operational.Gateway.Identity;
using Operational.ServiceDefaults.Identity;

namespace Operational.Gateway.Bootstrap;

/// <summary>
/// Prepares the identity store and, while the installation has no API key at all, creates
/// project <c>default</c> with one admin and one ingest key. Generated keys are printed once
/// to the console and never again (only their hashes are stored); preset keys are not
/// printed. Every step is idempotent, so a crash half-way or several replicas starting at
/// once still end with usable keys.
/// </summary>
internal sealed class ProjectBootstrapper(
    IIdentityStore store,
    IOptions<BootstrapOptions> options,
    TimeProvider clock,
    ILogger<ProjectBootstrapper> logger) : IHostedService
{
    /// <summary>Where generated keys are printed; the console unless a test captures it.</summary>
    internal TextWriter Output { get; init; } = Console.Out;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.InitializeAsync(cancellationToken);
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

        PrintKeys(
            preset.AdminKey is null ? adminKey : "(preset by Bootstrap:AdminKey)",
            preset.IngestKey is null ? ingestKey : "(preset by Bootstrap:IngestKey)");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task<bool> IsKnownAsync(string? key, CancellationToken cancellationToken) =>
        key is null || await store.FindKeyByHashAsync(ApiKeySecrets.Hash(key), cancellationToken) is not null;

    /// <summary>Straight to stdout rather than the log: keys must not end up in log storage.</summary>
    private void PrintKeys(string adminKey, string ingestKey)
    {
        var rule = new string('=', 78);
        Output.WriteLine($"""

            {rule}
             Operational: first start. Created project 'default' with two API keys.
             They are shown only this once; keep them somewhere safe.

               admin key  (read, manage, send): {adminKey}
               ingest key (send events only):   {ingestKey}
            {rule}

            """);
        Output.Flush();
    }
}
