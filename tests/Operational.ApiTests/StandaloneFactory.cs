using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Operational.Contracts.Events;
using Operational.Gateway.Ingest;
using Operational.Standalone;
using Operational.TestSupport;

namespace Operational.ApiTests;

/// <summary>
/// The standalone host in memory (in-memory bus, SQLite in a temp folder) with preset keys.
/// Every batch the gateway makes durable is also recorded, so tests can prove that rejected
/// requests never reached the bus.
/// </summary>
public sealed class StandaloneFactory : WebApplicationFactory<StandaloneHost>
{
    public const string AdminKey = "test-admin-key-0123456789abcdef";
    public const string IngestKey = "test-ingest-key-0123456789abcdef";

    private readonly TempDirectory _data = new("operational-unit");

    /// <summary>The SQLite data folder; tests may put files there before the host starts.</summary>
    public string DataDirectory => _data.Path;

    public RecordingSink Sink { get; } = new();

    /// <summary>What the host logged, at its configured levels.</summary>
    public LogCapture Logs { get; } = new();

    /// <summary>More settings for the host, applied after the defaults above.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>More service changes, applied after the host's own (e.g. a decorated store).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    /// <summary>Replaces the host's clock when set before the host starts (e.g. a FakeTimeProvider).</summary>
    public TimeProvider? Clock { get; init; }

    public OperationalClient CreateOperationalClient() => new(CreateClient());

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Storage:Sqlite:DataDirectory", _data.Path);
        builder.UseSetting("Bootstrap:AdminKey", AdminKey);
        builder.UseSetting("Bootstrap:IngestKey", IngestKey);
        builder.UseSetting("Bus:Transport", "InMemory");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        builder.ConfigureTestServices(services =>
        {
            var real = services.Single(d => d.ServiceType == typeof(IIngestSink));
            services.Remove(real);
            services.AddSingleton(provider => Sink.Wrap((IIngestSink)real.ImplementationFactory!(provider)));
            if (Clock is not null)
            {
                services.AddSingleton(Clock);
            }

            ConfigureServices?.Invoke(services);
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _data.Dispose();
    }

    public sealed class RecordingSink
    {
        private readonly List<EventsIngested> _batches = [];

        public IReadOnlyList<EventsIngested> Batches
        {
            get
            {
                lock (_batches)
                {
                    return [.. _batches];
                }
            }
        }

        public IIngestSink Wrap(IIngestSink inner) => new Recording(inner, this);

        private sealed class Recording(IIngestSink inner, RecordingSink owner) : IIngestSink
        {
            public async Task WriteAsync(EventsIngested batch, CancellationToken cancellationToken)
            {
                await inner.WriteAsync(batch, cancellationToken);
                lock (owner._batches)
                {
                    owner._batches.Add(batch);
                }
            }
        }
    }
}
