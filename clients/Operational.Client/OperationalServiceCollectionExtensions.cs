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
}
