namespace Operational.Bench;

/// <summary>A service module hosted in the benchmark process as the standalone host composes it: in-memory bus, SQLite in a folder of the run.</summary>
internal static class ModuleHost
{
    public static async Task<WebApplication> StartAsync(
        string serviceName, string directory, IReadOnlyDictionary<string, string?> settings, Action<WebApplicationBuilder> configure, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Bus:Transport"] = "InMemory",
            ["Storage:Sqlite:DataDirectory"] = directory,
            ["InternalAuth:Secret"] = "bench-internal-secret-0123456789abcdef",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:Console:FormatterName"] = "simple",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        Operational.ServiceDefaults.Hosting.ServiceDefaultsExtensions.AddServiceDefaults(builder, serviceName);
        configure(builder);
        var app = builder.Build();
        Operational.ServiceDefaults.Hosting.ServiceDefaultsExtensions.UseServiceDefaults(app);
        map(app);
        await app.StartAsync();
        return app;
    }
}
