using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using Operational.ServiceDefaults.Hosting;

namespace Operational.Gateway.Forwarding;

/// <summary>
/// Configuration section <c>Gateway:TrustedProxies</c>: the reverse proxies (TLS terminators, load
/// balancers) in front of the gateway. Only requests from them may say, in <c>X-Forwarded-For</c> and
/// <c>X-Forwarded-Proto</c>, who the client is and that it used https. Then the session cookie is
/// <c>Secure</c>, and rate limits and the sign-in throttle key on the client, not on the proxy. With
/// none configured (the default) those headers are ignored.
/// </summary>
public sealed class TrustedProxyOptions
{
    public const string SectionName = "Gateway:TrustedProxies";

    /// <summary>Addresses of trusted proxies, e.g. <c>10.0.0.5</c>.</summary>
    public List<string> Addresses { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR notation, e.g. <c>10.0.0.0/24</c>.</summary>
    public List<string> Networks { get; set; } = [];
}

internal sealed class TrustedProxyOptionsValidator : IValidateOptions<TrustedProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, TrustedProxyOptions options)
    {
        var failures = options.Addresses.Where(a => !IPAddress.TryParse(a, out _))
            .Select(a => $"Gateway:TrustedProxies:Addresses holds '{a}', which is not an IP address.")
            .Concat(options.Networks.Where(n => !System.Net.IPNetwork.TryParse(n, out _))
                .Select(n => $"Gateway:TrustedProxies:Networks holds '{n}', which is not a network in CIDR notation such as 10.0.0.0/24."))
            .ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

public static class TrustedProxyExtensions
{
    public static IHostApplicationBuilder AddTrustedProxies(this IHostApplicationBuilder builder)
    {
        var proxies = builder.BindValidated<TrustedProxyOptions, TrustedProxyOptionsValidator>(TrustedProxyOptions.SectionName);
        if (proxies.Addresses.Count == 0 && proxies.Networks.Count == 0)
        {
            return builder;
        }

        builder.Services.Configure<ForwardedHeadersOptions>(forwarded =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // Walk X-Forwarded-For back through every trusted hop to the first address that is not one.
            forwarded.ForwardLimit = null;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            proxies.Addresses.ForEach(a => forwarded.KnownProxies.Add(IPAddress.Parse(a)));
            proxies.Networks.ForEach(n => forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(n)));
        });
        builder.Services.AddForwardedHeadersInPipeline();
        return builder;
    }
}
