using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Operational.ServiceDefaults.Storage;

namespace Operational.Standalone;

/// <summary>Tells the person who just ran the command where Operational is and where its data lives.</summary>
internal static class StartupBanner
{
    public static IHostApplicationBuilder AddStartupBanner(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<Banner>();
        return builder;
    }

    private sealed class Banner(IServer server, IHostApplicationLifetime lifetime, IOptions<StorageOptions> storage) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            lifetime.ApplicationStarted.Register(() =>
            {
                var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
                var data = storage.Value.Provider == StorageProvider.Sqlite
                    ? Path.GetFullPath(storage.Value.Sqlite.DataDirectory)
                    : "MongoDB";
                Console.Out.WriteLine($"""

                    Operational is running (standalone).
                      API:    {string.Join(", ", addresses)}
                      health: {addresses.FirstOrDefault()}/health/ready
                      data:   {data}
                    Press Ctrl+C to stop.

                    """);
                Console.Out.Flush();
            });
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
