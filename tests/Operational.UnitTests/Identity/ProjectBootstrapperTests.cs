using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Operational.Gateway.Bootstrap;
using Operational.Gateway.Identity;
using Operational.Gateway.Identity.Sqlite;
using Operational.Gateway.Operators;
using Operational.Gateway.Operators.Sqlite;
using Operational.ServiceDefaults.Storage;
using Operational.TestSupport;

namespace Operational.UnitTests.Identity;

public sealed class ProjectBootstrapperTests : IDisposable
{
    private readonly TempDirectory _data = new("operational-bootstrap");
    private readonly SqliteIdentityStore _store;
    private readonly SqliteOperatorStore _operators;
    private readonly OperatorPasswords _passwords = new();

    public ProjectBootstrapperTests()
    {
        _store = new SqliteIdentityStore(new SqliteDatabase(Path.Combine(_data.Path, "gateway.db")));
        _operators = new SqliteOperatorStore(new SqliteDatabase(Path.Combine(_data.Path, "operators.db")));
    }

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task First_start_creates_default_project_and_prints_working_keys_once()
    {
        var first = new StringWriter();
        await StartAsync(new BootstrapOptions(), first);

        var printed = System.Text.RegularExpressions.Regex.Matches(first.ToString(), "op_(admin|ingest)_[0-9A-Za-z]{32}").Select(m => m.Value).ToArray();
        Assert.Equal(2, printed.Length);
        foreach (var key in printed)
        {
            var stored = await _store.FindKeyByHashAsync(ApiKeySecrets.Hash(key), CancellationToken.None);
            Assert.Equal(Project.DefaultId, stored!.ProjectId);
            Assert.Equal([key.Split('_')[1]], stored.Scopes);
        }

        var password = System.Text.RegularExpressions.Regex.Match(first.ToString(), @"password: (\S+)").Groups[1].Value;
        var admin = await _operators.FindByUsernameAsync("admin", CancellationToken.None);
        Assert.Equal(OperatorRoles.Admin, admin!.Role);
        Assert.True(_passwords.Verify(admin, password).Matches);
        Assert.DoesNotContain(admin.PasswordHash, first.ToString(), StringComparison.Ordinal);

        var second = new StringWriter();
        await StartAsync(new BootstrapOptions(), second);
        Assert.Equal("", second.ToString());
    }

    [Fact]
    public async Task Preset_operator_is_created_once_and_its_password_not_printed()
    {
        var output = new StringWriter();
        var preset = new BootstrapOptions { OperatorUsername = "Ops", OperatorPassword = "correct horse battery" };

        await StartAsync(preset, output);
        await Bootstrapper(new BootstrapOptions { OperatorUsername = "other", OperatorPassword = "something else entirely" }, new StringWriter()).StartAsync(CancellationToken.None);

        Assert.DoesNotContain("correct horse", output.ToString(), StringComparison.Ordinal);
        var ops = await _operators.FindByUsernameAsync("ops", CancellationToken.None);
        Assert.True(_passwords.Verify(ops, "correct horse battery").Matches);
        Assert.Single(await _operators.ListOperatorsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Preset_keys_are_used_and_not_printed()
    {
        var output = new StringWriter();
        var preset = new BootstrapOptions { AdminKey = "preset-admin-key-0123456789", IngestKey = "preset-ingest-key-0123456789" };

        await StartAsync(preset, output);

        Assert.DoesNotContain(preset.AdminKey, output.ToString(), StringComparison.Ordinal);
        Assert.Equal(["admin"], (await _store.FindKeyByHashAsync(ApiKeySecrets.Hash(preset.AdminKey), CancellationToken.None))!.Scopes);
        Assert.Equal(["ingest"], (await _store.FindKeyByHashAsync(ApiKeySecrets.Hash(preset.IngestKey), CancellationToken.None))!.Scopes);
    }

    [Fact]
    public async Task Concurrent_first_starts_with_preset_keys_end_with_one_usable_set()
    {
        var preset = new BootstrapOptions { AdminKey = "preset-admin-key-0123456789", IngestKey = "preset-ingest-key-0123456789" };

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => StartAsync(preset, new StringWriter())));

        Assert.NotNull(await _store.FindKeyByHashAsync(ApiKeySecrets.Hash(preset.AdminKey), CancellationToken.None));
        Assert.NotNull(await _store.FindKeyByHashAsync(ApiKeySecrets.Hash(preset.IngestKey), CancellationToken.None));
    }

    /// <summary>A gateway's start: its stores are prepared before any hosted service (ServiceStoreRegistration), then the bootstrapper runs.</summary>
    private async Task StartAsync(BootstrapOptions options, TextWriter output)
    {
        await _store.InitializeAsync(CancellationToken.None);
        await _operators.InitializeAsync(CancellationToken.None);
        await Bootstrapper(options, output).StartAsync(CancellationToken.None);
    }

    private ProjectBootstrapper Bootstrapper(BootstrapOptions options, TextWriter output) =>
        new(_store, _operators, _passwords, Options.Create(options), TimeProvider.System, NullLogger<ProjectBootstrapper>.Instance) { Output = output };
}
