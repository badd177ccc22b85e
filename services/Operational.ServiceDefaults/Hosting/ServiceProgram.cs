using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace Operational.ServiceDefaults.Hosting;

/// <summary>
/// The shape every Operational process shares: defaults, the process's own modules, run.
/// A configuration mistake ends the process with a readable message and exit code 2
/// instead of a stack trace.
/// </summary>
public static class ServiceProgram
{
    public const int ConfigurationErrorExitCode = 2;

    public static int Run(
        string[] args,
        string serviceName,
        Action<WebApplicationBuilder> configure,
        Action<WebApplication> map)
    {
        try
        {
            var builder = WebApplication.CreateBuilder(args);
            builder.AddServiceDefaults(serviceName);
            configure(builder);

            var app = builder.Build();
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
