using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Operational.TestSupport;

namespace Operational.ApiTests;

/// <summary>
/// The SSRF guard against this machine's own non-loopback address: a listener bound there must
/// receive nothing, whether the address comes in a channel or in an event's action sent with an
/// ingest key.
/// </summary>
public sealed class OutboundGuardTests : OwnStandaloneHostTests, IAsyncLifetime
{
    private RecordingReceiver _listener = null!;

    async ValueTask IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        _listener = await RecordingReceiver.StartAsync(on: OwnAddress());
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await _listener.DisposeAsync();
        await DisposeAsync();
    }

    [Fact]
    public async Task A_webhook_to_this_machines_own_address_is_refused()
    {
        using var created = await Client.PostAsync(StandaloneFactory.AdminKey, "/v1/channels",
            JsonSerializer.Serialize(new { name = "inward", kind = "webhook", webhook = new { url = new Uri(_listener.Address, "/hook").ToString() } }));

        var problem = await ProblemAssert.NamesFieldAsync(created, "webhook.url");
        // Refused as this machine's, not only for its range (eth0 may be in a private or documentation range too).
        Assert.Contains("may not point at an address of this machine", problem.GetProperty("errors").GetProperty("webhook.url")[0].GetString(), StringComparison.Ordinal);
        Assert.Empty(_listener.Requests);
    }

    [Fact]
    public async Task An_ntfy_or_email_channel_at_this_machines_own_address_is_refused()
    {
        var own = _listener.Address;
        using var ntfy = await Client.PostAsync(StandaloneFactory.AdminKey, "/v1/channels",
            JsonSerializer.Serialize(new { name = "phones", kind = "ntfy", ntfy = new { serverUrl = own.ToString(), topic = "ops", token = "tk_x" } }));
        await ProblemAssert.NamesFieldAsync(ntfy, "ntfy.serverUrl");

        using var email = await Client.PostAsync(StandaloneFactory.AdminKey, "/v1/channels",
            JsonSerializer.Serialize(new { name = "mail", kind = "email", email = new { host = own.Host, port = own.Port, security = "none", from = "ops@example.com", to = new[] { "oncall@example.com" } } }));
        var problem = await ProblemAssert.NamesFieldAsync(email, "email.host");
        Assert.Contains("an address of this machine", problem.GetProperty("errors").GetProperty("email.host")[0].GetString(), StringComparison.Ordinal);
        Assert.Empty(_listener.Requests);
    }

    [Fact]
    public async Task An_action_sent_with_an_ingest_key_at_this_machines_own_address_is_never_called()
    {
        var url = new Uri(_listener.Address, "/act").ToString();
        var id = await Client.IngestAsync(StandaloneFactory.IngestKey,
            JsonSerializer.Serialize(new { name = "order placed", actions = new[] { new { key = "refund", buttonText = "Refund", url } } }));
        await Client.WaitForEventAsync(StandaloneFactory.AdminKey, id, TimeSpan.FromSeconds(10));

        using var pressed = await Client.PostAsync(StandaloneFactory.AdminKey, $"/v1/events/{id}/actions/refund", "{}");
        var run = JsonDocument.Parse(await pressed.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal("failed", run.GetProperty("status").GetString());
        Assert.Contains("may not point at an address of this machine", run.GetProperty("error").GetString(), StringComparison.Ordinal);
        await Task.Delay(200);
        Assert.Empty(_listener.Requests);
    }

    /// <summary>
    /// The address this machine sends from on its default route (eth0's here): a UDP socket's
    /// "connect" picks it without sending anything, and works where listing interfaces is refused.
    /// </summary>
    private static IPAddress OwnAddress()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(IPAddress.Parse("8.8.8.8"), 53);
        var address = ((IPEndPoint)socket.LocalEndPoint!).Address;
        Assert.False(IPAddress.IsLoopback(address), "this machine has no non-loopback address to test the outbound guard against");
        return address;
    }
}
