using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Operational.ServiceDefaults.Bus.DeadLetters;
using Operational.ServiceDefaults.Health;
using Operational.ServiceDefaults.Storage;
using Operational.ServiceDefaults.Hosting;

namespace Operational.ServiceDefaults.Bus;

public static class BusRegistrationExtensions
{
    /// <summary>
    /// Registers the one bus of this process. The transport comes from configuration
    /// (<c>Bus:Transport</c>), so the same consumers run in-memory in the standalone host
    /// and over RabbitMQ in distributed mode.
    /// </summary>
    /// <param name="configureConsumers">Adds the consumers of every module this process hosts.</param>
    public static IHostApplicationBuilder AddOperationalBus(
        this IHostApplicationBuilder builder,
        Action<IBusRegistrationConfigurator> configureConsumers)
    {
        var options = builder.BindValidated<BusOptions, BusOptionsValidator>(BusOptions.SectionName);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ConsumerOutages>();
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            "consumers", provider => provider.GetRequiredService<ConsumerOutages>(), HealthStatus.Unhealthy, [HealthEndpoints.ReadyTag]));
        builder.AddDeadLetters(options.Transport);

        builder.Services.AddMassTransit(bus =>
        {
            // Self-hosted means private: MassTransit would otherwise report usage to its vendor
            // (and probe cloud metadata addresses) from every process.
            bus.DisableUsageTelemetry();
            bus.SetKebabCaseEndpointNameFormatter();

            bus.ConfigureHealthCheckOptions(health =>
            {
                health.Name = "bus";
                health.Tags.Add(HealthEndpoints.ReadyTag);
                health.MinimalFailureStatus = HealthStatus.Unhealthy;
            });
            configureConsumers(bus);

            switch (options.Transport)
            {
                case BusTransport.InMemory:
                    bus.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
                    break;
                case BusTransport.RabbitMq:
                    bus.UsingRabbitMq((context, cfg) =>
                    {
                        var rabbit = options.RabbitMq;
                        cfg.Host(rabbit.Host, (ushort)rabbit.Port, rabbit.VirtualHost, host =>
                        {
                            host.Username(rabbit.Username);
                            host.Password(rabbit.Password);
                            // A 202 is promised only after the broker confirmed the batch.
                            host.PublisherConfirmation = true;
                            host.RequestedConnectionTimeout(rabbit.ConnectTimeout);
                            host.ConnectionName(builder.Environment.ApplicationName);
                            if (rabbit.UseTls)
                            {
                                host.UseSsl(ssl => ssl.ServerName = rabbit.Host);
                            }
                        });
                        cfg.PrefetchCount = rabbit.PrefetchCount;
                        cfg.ConfigureEndpoints(context);
                    });
                    break;
                default:
                    throw new InvalidOperationException($"Unsupported bus transport {options.Transport}.");
            }
        });

        builder.Services.Configure<MassTransitHostOptions>(host =>
        {
            // The web host must come up even while the broker is down: readiness reports it,
            // the gateway answers 503 and MassTransit keeps reconnecting in the background.
            host.WaitUntilStarted = false;
            host.StopTimeout = TimeSpan.FromSeconds(30);
        });

        return builder;
    }

    /// <summary>
    /// Where poison messages go and how they come back: RabbitMQ's <c>_error</c> queues, or for the
    /// in-memory bus (whose queues a restart empties) <c>dead-letters.db</c> in the data folder.
    /// </summary>
    private static void AddDeadLetters(this IHostApplicationBuilder builder, BusTransport transport)
    {
        if (transport == BusTransport.RabbitMq)
        {
            builder.Services.AddSingleton<IDeadLetters, QueueDeadLetters>();
            builder.Services.AddSingleton<IDeadLetterQueues, RabbitMqDeadLetterQueues>();
            return;
        }

        builder.Services.AddSingleton(provider => new StoredDeadLetters(
            SqliteDatabase.InDataDirectory(provider.GetRequiredService<IOptions<StorageOptions>>().Value, "dead-letters"),
            provider.GetRequiredService<IBus>,
            provider.GetRequiredService<ILogger<StoredDeadLetters>>()));
        builder.Services.AddSingleton<IDeadLetters>(provider => provider.GetRequiredService<StoredDeadLetters>());
        builder.Services.AddSingleton<IDeadLetterQueues>(provider => provider.GetRequiredService<StoredDeadLetters>());
        builder.Services.AddServiceStore<StoredDeadLetters>("dead-letters");
        builder.Services.AddConsumeObserver<DeadLetterFaults>();
    }
}
