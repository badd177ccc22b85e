using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Operational.ServiceDefaults.Storage;

namespace Operational.ServiceDefaults.Hosting;

/// <summary>
/// The shape every Operational process shares: defaults, the process's own modules, run.
/// A configuration mistake ends the process with a readable message and exit code 2
/// instead of a stack trace.
/// </summary>
public static class ServiceProgram
{
    public const int ConfigurationErrorExitCode = 2;

    /// <summary>A store could not be opened or prepared (read-only folder, full disk, unreachable database).</summary>
    public const int StoreErrorExitCode = 3;

    public static int Run(
        string[] args,
        string serviceName,
        Action<WebApplicationBuilder> configure,
        Action<WebApplication> map)
    {
        try
        {
            // Settings are read and validated once, at start. Reloading them on change would also
            // watch the content root recursively, and the data folder is often under it: every
            // SQLite write then woke a file watcher (measured: ~3% of the standalone host's CPU).
            var builder = WebApplication.CreateBuilder([.. args, "--hostBuilder:reloadConfigOnChange=false"]);
            builder.AddServiceDefaults(serviceName);
            configure(builder);

            var app = builder.Build();
            if (PrepareStores(serviceName, app.Services) is { } failed)
            {
                return failed;
            }

            app.UseServiceDefaults();
            map(app);
            app.Run();
            return 0;
        }
        catch (OptionsValidationException e)
        {
            return ReportConfigurationError(serviceName, e.Failures);
        }
        catch (InvalidOperationException e) when (e.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
        {
            return ReportConfigurationError(serviceName, [e.Message]);
        }
        catch (IOException e) when (e.InnerException is AddressInUseException)
        {
            return ReportConfigurationError(serviceName, [$"{e.Message} Stop the other process or choose another address with --urls http://127.0.0.1:<port>."]);
        }
    }

    /// <summary>Prepares the stores before anything starts; a failure is one line naming the setting to check, and exit code 3.</summary>
    private static int? PrepareStores(string serviceName, IServiceProvider services)
    {
        try
        {
            services.PrepareStoresAsync(CancellationToken.None).GetAwaiter().GetResult();
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var storage = services.GetRequiredService<IOptions<StorageOptions>>().Value;
            var check = storage.Provider == StorageProvider.MongoDb
                ? "Check Storage:MongoDb:ConnectionString and that the MongoDB server answers."
                : $"Storage:Sqlite:DataDirectory ('{Path.GetFullPath(storage.Sqlite.DataDirectory)}') must be a folder this account can write, on a disk with free space.";
            Console.Error.WriteLine($"operational {serviceName}: cannot open its data, not starting: {Reason(e)} {check}");
            return StoreErrorExitCode;
        }
    }

    /// <summary>The innermost messages that say something, joined on one line.</summary>
    private static string Reason(Exception e)
    {
        var messages = new List<string>();
        for (var current = e; current is not null; current = current.InnerException)
        {
            var message = current.Message.ReplaceLineEndings(" ").Trim();
            if (message.Length > 0 && !messages.Any(m => m.Contains(message, StringComparison.Ordinal)))
            {
                messages.Add(message.TrimEnd('.') + ".");
            }
        }

        return string.Join(" ", messages);
    }

    private static int ReportConfigurationError(string serviceName, IEnumerable<string> failures)
    {
        Console.Error.WriteLine($"operational {serviceName}: invalid configuration, not starting.");
        foreach (var failure in failures)
        {
            Console.Error.WriteLine($"  - {failure}");
        }

        Console.Error.WriteLine("See docs/configuration.md for every setting and its default.");
        return ConfigurationErrorExitCode;
    }
}
