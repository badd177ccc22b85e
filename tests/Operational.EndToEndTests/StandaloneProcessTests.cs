using System.Net;
using System.Text.RegularExpressions;
using Operational.TestSupport;

namespace Operational.EndToEndTests;

/// <summary>The README's run command: one process, empty data folder, keys printed on first start.</summary>
public sealed partial class StandaloneProcessTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new("operational-standalone");

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        _data.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task First_start_prints_keys_that_send_and_read_events_and_a_restart_keeps_them()
    {
        var environment = new Dictionary<string, string> { ["Storage__Sqlite__DataDirectory"] = _data.Path };
        string adminKey, ingestKey, id;
        await using (var first = await ServiceProcess.StartAsync("standalone", "compose/Operational.Standalone", "Operational.Standalone", environment))
        {
            adminKey = await WaitForKeyAsync(first, AdminKeyLine());
            ingestKey = await WaitForKeyAsync(first, IngestKeyLine());
            Assert.StartsWith("op_admin_", adminKey, StringComparison.Ordinal);
            Assert.StartsWith("op_ingest_", ingestKey, StringComparison.Ordinal);

            using var http = new HttpClient { BaseAddress = first.Address };
            var client = new OperationalClient(http);
            id = await client.IngestAsync(ingestKey, """{"name":"user signed up","avatar":"🎉"}""");
            var stored = await client.WaitForEventAsync(adminKey, id, TimeSpan.FromSeconds(10));
            Assert.Equal("user signed up", stored.GetProperty("name").GetString());

            using var forbidden = await client.GetAsync(ingestKey, "/v1/events");
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);

            // Clients that stop sending mid-body are their own trouble, not the server's.
            foreach (var path in new[] { "/v1/events", "/v1/rules" })
            {
                await SendHalfABodyAsync(first.Address, path, adminKey);
            }

            await Task.Delay(500);

            // Every store is ready before any worker runs, and nothing above is the server's fault: no error logged.
            Assert.DoesNotMatch(ErrorLogLine(), first.Output);
        }

        await using var second = await ServiceProcess.StartAsync("standalone again", "compose/Operational.Standalone", "Operational.Standalone", environment);
        Assert.DoesNotMatch(AdminKeyLine(), second.Output);
        using var again = new HttpClient { BaseAddress = second.Address };
        var stillThere = await new OperationalClient(again).GetJsonAsync(adminKey, $"/v1/events/{id}");
        Assert.Equal(id, stillThere.GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_data_folder_it_cannot_write_ends_the_start_with_one_line_naming_the_setting()
    {
        await using var readOnly = await Tmpfs.MountAsync(1024, readOnly: true);

        var (exitCode, output) = await ServiceProcess.RunToExitAsync("standalone on a read-only folder", "compose/Operational.Standalone", "Operational.Standalone",
            new Dictionary<string, string> { ["Storage__Sqlite__DataDirectory"] = readOnly.Path }, TimeSpan.FromSeconds(60));

        Assert.Equal(3, exitCode);
        var reason = Assert.Single(output.Split('\n'), line => line.StartsWith("operational standalone:", StringComparison.Ordinal));
        Assert.Contains("Read-only file system", reason, StringComparison.Ordinal);
        Assert.Contains($"Storage:Sqlite:DataDirectory ('{readOnly.Path}')", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal); // no stack trace
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
    }

    /// <summary>Declares a 10 kB JSON body, sends 12 bytes of it and closes the connection.</summary>
    private static async Task SendHalfABodyAsync(Uri address, string path, string key)
    {
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(address.Host, address.Port);
        var stream = client.GetStream();
        var request = $"POST {path} HTTP/1.1\r\nHost: {address.Authority}\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\n" +
                      "Content-Length: 10000\r\n\r\n{\"name\":\"half";
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(request));
        await stream.FlushAsync();
        await Task.Delay(100);
        client.Client.Close();
    }

    private static async Task<string> WaitForKeyAsync(ServiceProcess process, Regex line)
    {
        // The banner is written once the host started, which readiness does not wait for.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var match = line.Match(process.Output);
            if (match.Success)
            {
                return match.Groups["key"].Value;
            }

            Assert.True(DateTime.UtcNow < deadline, "no key printed on first start:\n" + process.Output);
            await Task.Delay(100);
        }
    }

    [GeneratedRegex(@"(?m)^\s*(fail|crit):|Exception")]
    private static partial Regex ErrorLogLine();

    [GeneratedRegex(@"admin key [^:]*:\s+(?<key>op_admin_\w+)")]
    private static partial Regex AdminKeyLine();

    [GeneratedRegex(@"ingest key [^:]*:\s+(?<key>op_ingest_\w+)")]
    private static partial Regex IngestKeyLine();
}
