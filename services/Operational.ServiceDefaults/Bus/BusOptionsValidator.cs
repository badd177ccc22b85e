using Microsoft.Extensions.Options;

namespace Operational.ServiceDefaults.Bus;

internal sealed class BusOptionsValidator : IValidateOptions<BusOptions>
{
    public ValidateOptionsResult Validate(string? name, BusOptions options)
    {
        var failures = new List<string>();
        if (!Enum.IsDefined(options.Transport))
        {
            failures.Add($"Bus:Transport must be InMemory or RabbitMq, not '{options.Transport}'.");
        }

        if (options.Transport == BusTransport.RabbitMq)
        {
            var rabbit = options.RabbitMq;
            if (string.IsNullOrWhiteSpace(rabbit.Host))
            {
                failures.Add("Bus:RabbitMq:Host is required when Bus:Transport is RabbitMq.");
            }

            if (rabbit.Port is < 1 or > 65535)
            {
                failures.Add($"Bus:RabbitMq:Port must be between 1 and 65535, not {rabbit.Port}.");
            }

            if (string.IsNullOrEmpty(rabbit.VirtualHost))
            {
                failures.Add("Bus:RabbitMq:VirtualHost must not be empty (the default virtual host is '/').");
            }

            if (string.IsNullOrEmpty(rabbit.Username))
            {
                failures.Add("Bus:RabbitMq:Username is required when Bus:Transport is RabbitMq.");
            }

            if (rabbit.PrefetchCount is < 1 or > 10_000)
            {
                failures.Add($"Bus:RabbitMq:PrefetchCount must be between 1 and 10000, not {rabbit.PrefetchCount}.");
            }

            if (rabbit.ConnectTimeout <= TimeSpan.Zero)
            {
                failures.Add("Bus:RabbitMq:ConnectTimeout must be positive, e.g. 00:00:05.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
