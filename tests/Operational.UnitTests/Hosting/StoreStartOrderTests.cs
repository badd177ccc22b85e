using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Operational.ServiceDefaults.Storage;

namespace Operational.UnitTests.Hosting;

public sealed class StoreStartOrderTests
{
    [Fact]
    public async Task A_worker_registered_before_its_store_starts_after_the_store_is_ready()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<RecordingStore>();
        // A module that registers its background worker first (as notifications did with its dispatcher).
        builder.Services.AddHostedService<Worker>();
        builder.Services.AddServiceStore<RecordingStore>("probe");
        using var host = builder.Build();

        await host.StartAsync(TestContext.Current.CancellationToken);
        var store = host.Services.GetRequiredService<RecordingStore>();
        await host.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["initialize", "worker starts"], store.Steps);
    }

    private sealed class RecordingStore : IServiceStore
    {
        public List<string> Steps { get; } = [];

        public async Task InitializeAsync(CancellationToken cancellationToken)
        {
            await Task.Delay(50, cancellationToken); // a migration takes a while
            Steps.Add("initialize");
        }

        public Task PingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class Worker(RecordingStore store) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            store.Steps.Add("worker starts");
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
