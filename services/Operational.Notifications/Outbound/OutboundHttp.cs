using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Operational.Notifications.Outbound;

/// <summary>
/// The one HTTP client every outbound call uses (webhooks, chat services, push services). Its
/// connections are made by a callback that resolves the host and refuses loopback, private,
/// link-local and metadata addresses unless the host is allow-listed, so a name that resolves
/// inward (or is re-pointed later) is caught at connect time, not only when the URL was saved.
/// Redirects are not followed: a redirect could lead anywhere. Its log lines name the destination
/// only (<see cref="OutboundHttpLogger"/>): these URLs carry secrets.
/// </summary>
public static class OutboundHttp
{
    public const string ClientName = "outbound";

    public static IServiceCollection AddOutboundHttp(this IServiceCollection services)
    {
        services.AddSingleton<OutboundHttpLogger>();
        services.AddHttpClient(ClientName, http => http.Timeout = Timeout.InfiniteTimeSpan) // each attempt has its own deadline
            .RemoveAllLoggers()
            .AddLogger<OutboundHttpLogger>()
            .ConfigurePrimaryHttpMessageHandler(provider =>
            {
                var allowed = provider.GetRequiredService<IOptions<NotificationsOptions>>().Value.Outbound.AllowedHosts;
                return new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    ConnectTimeout = TimeSpan.FromSeconds(5),
                    PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                    ConnectCallback = (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, allowed, cancellationToken),
                };
            });
        return services;
    }

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, IReadOnlyCollection<string> allowedHosts, CancellationToken cancellationToken) =>
        new NetworkStream(await ConnectSocketAsync(endpoint, allowedHosts, cancellationToken), ownsSocket: true);

    /// <summary>A TCP connection to the host, made only to an address the guard permits (SMTP uses it too).</summary>
    public static async Task<Socket> ConnectSocketAsync(DnsEndPoint endpoint, IReadOnlyCollection<string> allowedHosts, CancellationToken cancellationToken)
    {
        var allowed = allowedHosts.Contains(endpoint.Host, StringComparer.OrdinalIgnoreCase);
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        var permitted = allowed ? addresses : addresses.Where(a => OutboundAddresses.Refusal(a) is null).ToArray();
        if (permitted.Length == 0)
        {
            var reason = addresses.Length == 0 ? "does not resolve" : $"resolves to {OutboundAddresses.Refusal(addresses[0])}";
            throw new HttpRequestException($"Refused to connect to {endpoint.Host}: it {reason} (Notifications:Outbound:AllowedHosts can allow it).");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(permitted, endpoint.Port, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
