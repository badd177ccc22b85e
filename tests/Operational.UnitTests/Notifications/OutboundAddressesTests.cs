using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Operational.Notifications;
using Operational.Notifications.Outbound;

namespace Operational.UnitTests.Notifications;

public sealed class OutboundAddressesTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.10")]
    [InlineData("169.254.169.254")] // cloud metadata
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fd00::1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("192.0.2.10")] // documentation ranges, also used for lab networks
    [InlineData("198.51.100.7")]
    [InlineData("203.0.113.9")]
    [InlineData("198.18.0.1")] // benchmarking
    [InlineData("198.19.255.254")]
    [InlineData("192.0.0.170")] // IETF protocol assignments
    [InlineData("240.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("64:ff9b::10.0.0.1")] // NAT64 form of a private address
    [InlineData("64:ff9b::169.254.169.254")]
    [InlineData("64:ff9b:1::1")] // local-use NAT64
    [InlineData("2002:a00:1::1")] // 6to4 form of 10.0.0.1
    [InlineData("2002:7f00:1::1")] // 6to4 form of 127.0.0.1
    [InlineData("2001::1")] // Teredo
    [InlineData("2001:db8::1")]
    [InlineData("100::1")]
    [InlineData("fec0::1")]
    [InlineData("ff02::1")]
    [InlineData("::")]
    public void Internal_addresses_are_refused(string address)
    {
        Assert.NotNull(OutboundAddresses.Refusal(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("64:ff9b::8.8.8.8")] // NAT64 to a public address
    [InlineData("2002:808:808::1")] // 6to4 of 8.8.8.8
    [InlineData("192.0.3.1")]
    [InlineData("198.20.0.1")]
    public void Public_addresses_are_allowed(string address)
    {
        Assert.Null(OutboundAddresses.Refusal(IPAddress.Parse(address)));
    }

    [Fact]
    public void Every_address_of_this_machine_is_refused_even_a_public_one()
    {
        HashSet<IPAddress> own = [IPAddress.Parse("8.8.4.4"), IPAddress.Parse("2606:4700::6810:84e5")];

        Assert.Equal("an address of this machine", OutboundAddresses.Refusal(IPAddress.Parse("8.8.4.4"), own));
        Assert.Equal("an address of this machine", OutboundAddresses.Refusal(IPAddress.Parse("::ffff:8.8.4.4"), own));
        Assert.Equal("the NAT64 form of an address of this machine", OutboundAddresses.Refusal(IPAddress.Parse("64:ff9b::8.8.4.4"), own));
        Assert.Equal("an address of this machine", OutboundAddresses.Refusal(IPAddress.Parse("2606:4700::6810:84e5"), own));
        Assert.Null(OutboundAddresses.Refusal(IPAddress.Parse("8.8.8.8"), own));
    }

    [Theory]
    [InlineData("http://localhost:8080/hook")]
    [InlineData("http://127.0.0.1/hook")]
    [InlineData("http://[::1]/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("ftp://example.com/hook")]
    [InlineData("https://user:pass@example.com/hook")]
    [InlineData("not a url")]
    public void Urls_to_internal_hosts_or_odd_schemes_are_refused(string url)
    {
        Assert.NotNull(OutboundAddresses.CheckUrl(url, httpsOnly: false, []));
    }

    [Fact]
    public void Allow_list_admits_an_internal_host_and_https_only_refuses_http()
    {
        Assert.Null(OutboundAddresses.CheckUrl("http://127.0.0.1:9000/hook", httpsOnly: false, ["127.0.0.1"]));
        Assert.Null(OutboundAddresses.CheckUrl("https://hooks.slack.com/services/T/B/X", httpsOnly: true, []));
        Assert.NotNull(OutboundAddresses.CheckUrl("http://hooks.slack.com/services/T/B/X", httpsOnly: true, []));
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("mail.localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]")]
    [InlineData("::ffff:10.0.0.5")]
    [InlineData(" 192.168.1.1 ")]
    public void Smtp_hosts_that_are_this_machine_or_special_purpose_are_refused(string host)
    {
        Assert.NotNull(OutboundAddresses.CheckHost(host, []));
        Assert.Null(OutboundAddresses.CheckHost(host, [host.Trim()]));
    }

    [Fact]
    public void Smtp_host_names_are_left_to_the_check_at_connect_time()
    {
        Assert.Null(OutboundAddresses.CheckHost("smtp.example.com", []));
        Assert.Null(OutboundAddresses.CheckHost("8.8.8.8", []));
    }

    [Fact]
    public async Task Outbound_client_refuses_to_connect_inward_at_send_time_unless_allowed()
    {
        using var refusing = Client([]);
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => refusing.GetAsync("http://127.0.0.1:9/anything"));
        Assert.Contains("Refused to connect to 127.0.0.1", refused.Message, StringComparison.Ordinal);

        // A name is judged by what it resolves to when the connection is made, not when it was saved.
        var byName = await Assert.ThrowsAsync<HttpRequestException>(() => refusing.GetAsync("http://localhost:9/anything"));
        Assert.Contains("Refused to connect to localhost: it resolves to", byName.Message, StringComparison.Ordinal);

        using var allowing = Client(["127.0.0.1"]);
        var attempted = await Assert.ThrowsAsync<HttpRequestException>(() => allowing.GetAsync("http://127.0.0.1:9/anything")); // nothing listens on port 9
        Assert.DoesNotContain("Refused to connect to", attempted.Message, StringComparison.Ordinal);
    }

    private static HttpClient Client(string[] allowedHosts)
    {
        var services = new ServiceCollection();
        services.Configure<NotificationsOptions>(o => o.Outbound.AllowedHosts = allowedHosts);
        services.AddOutboundHttp();
        return services.BuildServiceProvider().GetRequiredService<IHttpClientFactory>().CreateClient(OutboundHttp.ClientName);
    }
}
