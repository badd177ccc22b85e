using System.Net;
using System.Net.Sockets;

namespace Operational.Notifications.Outbound;

/// <summary>
/// The SSRF guard: where outbound calls (webhooks, push services, action URLs) may go. Loopback,
/// private, link-local, carrier-grade NAT, unique-local and cloud-metadata addresses are refused,
/// unless the host is on the configured allow-list (a self-hosted ntfy on the LAN, the tests' stubs).
/// </summary>
public static class OutboundAddresses
{
    /// <summary>Why the address may not be called, or null when it may.</summary>
    public static string? Refusal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address))
        {
            return "a loopback address";
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b switch
            {
                [10, ..] or [172, >= 16 and <= 31, ..] or [192, 168, ..] => "a private address",
                [169, 254, ..] => "a link-local address (cloud metadata lives there)",
                [100, >= 64 and <= 127, ..] => "a carrier-grade NAT address",
                [0, ..] => "an unspecified address",
                [>= 224, ..] => "a multicast or reserved address",
                _ => null,
            };
        }

        if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal)
        {
            return "a link-local address";
        }

        var bytes = address.GetAddressBytes();
        if ((bytes[0] & 0xFE) == 0xFC)
        {
            return "a unique-local (private) address";
        }

        if (address.Equals(IPAddress.IPv6Any) || address.IsIPv6Multicast)
        {
            return "an unspecified or multicast address";
        }

        return null;
    }

    /// <summary>
    /// Checks a URL as written: http(s), absolute, and not naming a refused address literally (or
    /// <c>localhost</c>). Names are checked again when resolved at send time.
    /// </summary>
    public static string? CheckUrl(string? url, bool httpsOnly, IReadOnlyCollection<string> allowedHosts)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > 2000 || !Uri.TryCreate(url, UriKind.Absolute, out var uri) ||
            (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return httpsOnly ? "must be an absolute https URL" : "must be an absolute http(s) URL";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "must not carry a user name or password";
        }

        // An allow-listed host is one the operator runs (a LAN push service, a test stub): plain http is their call.
        if (allowedHosts.Contains(uri.Host, StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        if (httpsOnly && uri.Scheme != Uri.UriSchemeHttps)
        {
            return "must be an absolute https URL";
        }

        if (uri.IsLoopback || uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return "may not point at this machine (add its host to Notifications:Outbound:AllowedHosts to allow it)";
        }

        return IPAddress.TryParse(uri.Host, out var address) && Refusal(address) is { } refusal
            ? $"may not point at {refusal} (add its host to Notifications:Outbound:AllowedHosts to allow it)"
            : null;
    }
}
