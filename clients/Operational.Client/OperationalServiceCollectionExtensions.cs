using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Operational.Client;

/// <summary>Registration in a host's services.</summary>
public static class OperationalServiceCollectionExtensions
{
    /// <summary>Registers <see cref="IOperationalClient"/> (one per container, disposed, and so flushed, with it).</summary>
    public static IServiceCollection AddOperational(this IServiceCollection services, Action<OperationalClientOptions> configure)
    {
        var options = new OperationalClientOptions();
        configure(options);
        options.Validate();
        services.AddHttpClient(nameof(OperationalClient));
        services.AddSingleton<IOperationalClient>(provider => new OperationalClient(
            options,
            provider.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(OperationalClient)),
            provider.GetService<ILogger<OperationalClient>>()));
        return services;
    }

    /// <summary>
    /// Registers <see cref="IOperationalClient"/> with its options read from <paramref name="section"/>
    /// (e.g. <c>builder.Configuration.GetSection("Operational")</c>: <c>BaseAddress</c>, <c>ApiKey</c>,
    /// <c>BufferCapacity</c>, <c>BatchSize</c>, and the durations as <c>00:00:05</c>), then <paramref name="configure"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The section lacks the address or the key, or a value is out of range.</exception>
    public static IServiceCollection AddOperational(this IServiceCollection services, IConfiguration section, Action<OperationalClientOptions>? configure = null) =>
        services.AddOperational(options =>
        {
            section.Bind(options);
            configure?.Invoke(options);
        });
}
