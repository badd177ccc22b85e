using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Operational.Notifications.Outbound;

/// <summary>
/// The SSRF guard: where outbound calls (webhooks, chat services, ntfy, email, push services,
/// action URLs) may go. Refused: every address of this machine, and every range of IANA's IPv4 and
/// IPv6 special-purpose address registries (RFC 6890 and its updates: loopback, private,
/// link-local with the cloud metadata service, shared/CGNAT, documentation, benchmarking, protocol
/// assignments, unique-local, multicast, reserved), including those ranges written as IPv4-mapped,
/// NAT64 (64:ff9b::/96) or 6to4 (2002::/16) addresses. A host on the configured allow-list is
/// called anyway (a self-hosted ntfy on the LAN, the tests' stubs).
/// </summary>
public static class OutboundAddresses
{
    private static readonly (IPNetwork Network, string Reason)[] SpecialPurpose =
    [
        // IPv4 (https://www.iana.org/assignments/iana-ipv4-special-registry)
        (IPNetwork.Parse("0.0.0.0/8"), "an unspecified (\"this network\") address"),
        (IPNetwork.Parse("10.0.0.0/8"), "a private address"),
        (IPNetwork.Parse("100.64.0.0/10"), "a carrier-grade NAT (shared) address"),
        (IPNetwork.Parse("127.0.0.0/8"), "a loopback address"),
        (IPNetwork.Parse("169.254.0.0/16"), "a link-local address (cloud metadata lives there)"),
        (IPNetwork.Parse("172.16.0.0/12"), "a private address"),
        (IPNetwork.Parse("192.0.0.0/24"), "an IETF protocol assignment address"),
        (IPNetwork.Parse("192.0.2.0/24"), "a documentation (TEST-NET-1) address"),
        (IPNetwork.Parse("192.31.196.0/24"), "an AS112 address"),
        (IPNetwork.Parse("192.52.193.0/24"), "an AMT address"),
        (IPNetwork.Parse("192.88.99.0/24"), "a 6to4 relay address"),
        (IPNetwork.Parse("192.168.0.0/16"), "a private address"),
        (IPNetwork.Parse("192.175.48.0/24"), "an AS112 address"),
        (IPNetwork.Parse("198.18.0.0/15"), "a benchmarking address"),
        (IPNetwork.Parse("198.51.100.0/24"), "a documentation (TEST-NET-2) address"),
        (IPNetwork.Parse("203.0.113.0/24"), "a documentation (TEST-NET-3) address"),
        (IPNetwork.Parse("224.0.0.0/4"), "a multicast address"),
        (IPNetwork.Parse("240.0.0.0/4"), "a reserved or broadcast address"),

        // IPv6 (https://www.iana.org/assignments/iana-ipv6-special-registry)
        (IPNetwork.Parse("::/128"), "an unspecified address"),
        (IPNetwork.Parse("::1/128"), "a loopback address"),
        (IPNetwork.Parse("::/96"), "an IPv4-compatible (deprecated) address"),
        (IPNetwork.Parse("64:ff9b:1::/48"), "a local-use NAT64 address"),
        (IPNetwork.Parse("100::/64"), "a discard-only address"),
        (IPNetwork.Parse("100:0:0:1::/64"), "a dummy address"),
        (IPNetwork.Parse("2001::/23"), "an IETF protocol assignment address (Teredo, benchmarking, ORCHID, …)"),
        (IPNetwork.Parse("2001:db8::/32"), "a documentation address"),
        (IPNetwork.Parse("2620:4f:8000::/48"), "an AS112 address"),
        (IPNetwork.Parse("3fff::/20"), "a documentation address"),
        (IPNetwork.Parse("5f00::/16"), "a segment routing address"),
        (IPNetwork.Parse("fc00::/7"), "a unique-local (private) address"),
        (IPNetwork.Parse("fe80::/10"), "a link-local address"),
        (IPNetwork.Parse("fec0::/10"), "a site-local (deprecated) address"),
        (IPNetwork.Parse("ff00::/8"), "a multicast address"),
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

    /// <summary>Why the address may not be called, or null when it may.</summary>
    public static string? Refusal(IPAddress address) => Refusal(address, HostAddresses.Current);

    /// <summary>Why the address may not be called, given the machine's own addresses.</summary>
    public static string? Refusal(IPAddress address, IReadOnlySet<IPAddress> ownAddresses)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        address = HostAddresses.WithoutScope(address);
        if (ownAddresses.Contains(address))
        {
            return "an address of this machine";
        }

        foreach (var (network, reason) in SpecialPurpose)
        {
            if (network.Contains(address))
            {
                return reason;
            }
        }

        // Translation forms carry an IPv4 address: they reach whatever that address reaches.
        var bytes = address.GetAddressBytes();
        if (Nat64.Contains(address) && Refusal(new IPAddress(bytes[12..16]), ownAddresses) is { } nat64)
        {
            return $"the NAT64 form of {nat64}";
        }

        if (SixToFour.Contains(address) && Refusal(new IPAddress(bytes[2..6]), ownAddresses) is { } sixToFour)
        {
            return $"the 6to4 form of {sixToFour}";
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

        return CheckHost(uri.Host, allowedHosts);
    }

    /// <summary>
    /// Why a host (a name or an address literal, as an SMTP server is given) may not be called, or
    /// null. Only literals and <c>localhost</c> can be judged when it is saved; names are judged again
    /// at every connection against what they resolve to then.
    /// </summary>
    public static string? CheckHost(string host, IReadOnlyCollection<string> allowedHosts)
    {
        host = host.Trim();
        if (allowedHosts.Contains(host, StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return "may not point at this machine (add its host to Notifications:Outbound:AllowedHosts to allow it)";
        }

        var literal = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        return IPAddress.TryParse(literal, out var address) && Refusal(address) is { } refusal
            ? $"may not point at {refusal} (add its host to Notifications:Outbound:AllowedHosts to allow it)"
            : null;
    }
}

/// <summary>
/// This machine's own addresses, read again at most every 30 seconds: an outbound call to the host
/// itself reaches its services by the back door, whatever range its public address is in. Several
/// sources are joined, since sandboxes and containers refuse some of them: the interfaces' unicast
/// addresses, Linux's local routes (<c>/proc/net/fib_trie</c>, <c>/proc/net/if_inet6</c>), the
/// source address of the default routes, and what the host's own name resolves to.
/// </summary>
internal static class HostAddresses
{
    private static readonly TimeSpan RefreshAfter = TimeSpan.FromSeconds(30);
    private static Snapshot _current = new(Read(), Environment.TickCount64);

    public static IReadOnlySet<IPAddress> Current
    {
        get
        {
            var current = Volatile.Read(ref _current);
            if (Environment.TickCount64 - current.ReadAt >= RefreshAfter.TotalMilliseconds)
            {
                current = new Snapshot(Read(), Environment.TickCount64);
                Volatile.Write(ref _current, current);
            }

            return current.Addresses;
        }
    }

    private sealed record Snapshot(IReadOnlySet<IPAddress> Addresses, long ReadAt);

    /// <summary>An IPv6 link-local address with its interface scope (fe80::1%2) equals it without.</summary>
    public static IPAddress WithoutScope(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0 ? new IPAddress(address.GetAddressBytes()) : address;

    private static HashSet<IPAddress> Read()
    {
        var addresses = new HashSet<IPAddress>();
        Add(addresses, () => NetworkInterface.GetAllNetworkInterfaces().SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(a => a.Address));
        Add(addresses, LocalRoutes);
        Add(addresses, () => [DefaultRouteSource(AddressFamily.InterNetwork), DefaultRouteSource(AddressFamily.InterNetworkV6)]);
        Add(addresses, () => Dns.GetHostAddresses(Dns.GetHostName()));
        return addresses;
    }

    private static void Add(HashSet<IPAddress> addresses, Func<IEnumerable<IPAddress?>> source)
    {
        try
        {
            foreach (var address in source().OfType<IPAddress>())
            {
                addresses.Add(WithoutScope(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address));
            }
        }
        catch (Exception e) when (e is NetworkInformationException or SocketException or IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            // This source is not available here; the others still count.
        }
    }

    /// <summary>Linux's own view: the "/32 host LOCAL" entries of the IPv4 routing trie, and every IPv6 interface address.</summary>
    private static IEnumerable<IPAddress> LocalRoutes()
    {
        if (File.Exists("/proc/net/fib_trie"))
        {
            string? last = null;
            foreach (var line in File.ReadLines("/proc/net/fib_trie"))
            {
                var text = line.Trim();
                if (text.StartsWith("|-- ", StringComparison.Ordinal))
                {
                    last = text[4..];
                }
                else if (text.StartsWith("/32 host LOCAL", StringComparison.Ordinal) && last is not null && IPAddress.TryParse(last, out var v4))
                {
                    yield return v4;
                }
            }
        }

        if (File.Exists("/proc/net/if_inet6"))
        {
            foreach (var line in File.ReadLines("/proc/net/if_inet6"))
            {
                var hex = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
                if (hex is { Length: 32 })
                {
                    yield return new IPAddress(Convert.FromHexString(hex));
                }
            }
        }
    }

    /// <summary>The address this machine would send from on its default route (a UDP "connect" sends nothing).</summary>
    private static IPAddress? DefaultRouteSource(AddressFamily family)
    {
        using var socket = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(family == AddressFamily.InterNetwork ? IPAddress.Parse("192.88.99.1") : IPAddress.Parse("2001:4860::1"), 9);
        return (socket.LocalEndPoint as IPEndPoint)?.Address;
    }
}
