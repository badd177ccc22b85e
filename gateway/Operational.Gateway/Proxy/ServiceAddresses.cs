using Microsoft.Extensions.Options;

namespace Operational.Gateway.Proxy;

/// <summary>
/// Configuration section <c>Gateway:Services</c>: where the distributed gateway finds each
/// service's HTTP API. The defaults are the ports <c>compose/run-local.sh</c> uses.
/// </summary>
public sealed class ServiceAddresses
{
    public const string SectionName = "Gateway:Services";

    public string Storage { get; set; } = "http://127.0.0.1:5081";

    public string Contexts { get; set; } = "http://127.0.0.1:5082";

    public string Rules { get; set; } = "http://127.0.0.1:5083";

    public string Notifications { get; set; } = "http://127.0.0.1:5084";

    /// <summary>How long the gateway waits for a service to answer a forwarded request.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<(string Service, string Address)> All() =>
    [
        ("storage", Storage),
        ("contexts", Contexts),
        ("rules", Rules),
        ("notifications", Notifications),
    ];
}

internal sealed class ServiceAddressesValidator : IValidateOptions<ServiceAddresses>
{
    public ValidateOptionsResult Validate(string? name, ServiceAddresses options)
    {
        var failures = new List<string>();
        foreach (var (service, address) in options.All())
        {
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                var setting = $"Gateway:Services:{char.ToUpperInvariant(service[0])}{service[1..]}";
                failures.Add($"{setting} must be an absolute http(s) URL such as http://storage:8080, not '{address}'.");
            }
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            failures.Add("Gateway:Services:Timeout must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
