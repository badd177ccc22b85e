using System.Net;
using System.Text.Json;
using Operational.Contracts.Topology;
using Operational.TestSupport;
using Xunit;

namespace Operational.ChaosTests;

/// <summary>
/// A real full disk (a small tmpfs filled to the last block): what was answered 202 waits — in its
/// queue, or in the standalone journal — and is stored once space returns, without a restart; the
/// process says it is not ready meanwhile; nothing goes to the dead letters.
/// </summary>
public sealed class DiskFullTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Padding = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private readonly TempDirectory _data = new("operational-disk-full");

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        _data.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Storage_on_a_full_disk_keeps_accepted_events_in_its_queue_unready_and_stores_them_when_space_returns()
    {
        await using var disk = await Tmpfs.MountAsync(8 * 1024);
        await using var deployment = await ChaosDeployment.StartAsync(storageData: disk.Path);
        using var http = new HttpClient { BaseAddress = deployment.Gateway.Address };
        var api = new OperationalClient(http);
        var storage = deployment["storage"];
        var storagePid = storage.ProcessId;
        await api.WaitForEventAsync(ChaosDeployment.AdminKey, await api.IngestAsync(ChaosDeployment.IngestKey, """{"name":"before the disk filled"}"""), TimeSpan.FromSeconds(10));

        disk.Fill();
        var accepted = new List<string>();
        var unready = await SendUntilUnreadyAsync(api, storage.Address, accepted, limit: 2000);
        output.WriteLine($"storage unready after {accepted.Count} events: {unready}");
        Assert.Contains("storage-events-ingested", unready, StringComparison.Ordinal);
        Assert.Contains("full", unready, StringComparison.Ordinal);
        await Task.Delay(TimeSpan.FromSeconds(20)); // far longer than the 5 attempts that used to dead-letter
        Assert.Equal(0, (await deployment.QueueDepthsAsync()).GetValueOrDefault(ConsumerQueues.ErrorQueueOf(EventSubscriberQueues.Storage)));

        disk.Free();
        foreach (var id in accepted)
        {
            await api.WaitForEventAsync(ChaosDeployment.AdminKey, id, TimeSpan.FromSeconds(60));
        }

        await WaitForStatusAsync(storage.Address, HttpStatusCode.OK, TimeSpan.FromSeconds(30));
        Assert.Equal(storagePid, deployment["storage"].ProcessId); // no restart
        Assert.Equal(0, (await api.GetJsonAsync(ChaosDeployment.AdminKey, "/v1/dead-letters")).GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Standalone_whose_events_disk_is_full_answers_from_its_journal_and_stores_everything_when_space_returns()
    {
        await using var disk = await Tmpfs.MountAsync(4 * 1024);
        // Only the events database lives on the small disk (SQLite follows the link and keeps its
        // WAL beside the real file): the journal still has room, so events are answered 202.
        var events = Path.Combine(disk.Path, "events.db");
        File.WriteAllBytes(events, []);
        Directory.CreateDirectory(_data.Path);
        File.CreateSymbolicLink(Path.Combine(_data.Path, "events.db"), events);
        await using var host = await StartStandaloneAsync();
        using var http = new HttpClient { BaseAddress = host.Address };
        var api = new OperationalClient(http);
        await api.WaitForEventAsync(ChaosDeployment.AdminKey, await api.IngestAsync(ChaosDeployment.IngestKey, """{"name":"before the disk filled"}"""), TimeSpan.FromSeconds(10));

        disk.Fill();
        var accepted = new List<string>();
        var unready = await SendUntilUnreadyAsync(api, host.Address, accepted, limit: 2000);
        output.WriteLine($"standalone unready after {accepted.Count} events: {unready}");
        Assert.Contains("storage-events-ingested", unready, StringComparison.Ordinal);
        await Task.Delay(TimeSpan.FromSeconds(10));

        disk.Free();
        foreach (var id in accepted)
        {
            await api.WaitForEventAsync(ChaosDeployment.AdminKey, id, TimeSpan.FromSeconds(60));
        }

        await WaitForStatusAsync(host.Address, HttpStatusCode.OK, TimeSpan.FromSeconds(30));
        Assert.Equal(0, (await api.GetJsonAsync(ChaosDeployment.AdminKey, "/v1/dead-letters")).GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Standalone_on_a_full_disk_refuses_what_it_cannot_journal_and_recovers_without_a_restart()
    {
        await using var disk = await Tmpfs.MountAsync(8 * 1024);
        await using var host = await StartStandaloneAsync(disk.Path);
        using var http = new HttpClient { BaseAddress = host.Address };
        var api = new OperationalClient(http);
        var pid = host.ProcessId;

        disk.Fill();
        var accepted = new List<string>();
        var refused = 0;
        for (var i = 0; i < 300; i++)
        {
            using var response = await api.PostEventAsync(ChaosDeployment.IngestKey, $$"""{"name":"while the disk is full","content":{"padding":"{{Padding}}","i":{{i}} } }""");
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                accepted.Add(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!);
            }
            else
            {
                // Never a false 202, never a 500: an honest 503 the app retries.
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                refused++;
            }
        }

        output.WriteLine($"{accepted.Count} accepted, {refused} refused while the disk was full");
        Assert.True(refused > 0, "the disk never filled up");

        disk.Free();
        foreach (var id in accepted)
        {
            await api.WaitForEventAsync(ChaosDeployment.AdminKey, id, TimeSpan.FromSeconds(90));
        }

        await WaitForStatusAsync(host.Address, HttpStatusCode.OK, TimeSpan.FromSeconds(30));
        var after = await api.IngestAsync(ChaosDeployment.IngestKey, """{"name":"after the disk was freed"}""");
        await api.WaitForEventAsync(ChaosDeployment.AdminKey, after, TimeSpan.FromSeconds(30));
        Assert.Equal(pid, host.ProcessId);
    }

    private Task<ServiceProcess> StartStandaloneAsync(string? data = null) =>
        ServiceProcess.StartAsync("standalone", "compose/Operational.Standalone", "Operational.Standalone", new Dictionary<string, string>
        {
            ["Storage__Sqlite__DataDirectory"] = data ?? _data.Path,
            ["Bootstrap__AdminKey"] = ChaosDeployment.AdminKey,
            ["Bootstrap__IngestKey"] = ChaosDeployment.IngestKey,
            ["RateLimits__Enabled"] = "false",
        });

    /// <summary>Sends events (each answered 202) until <paramref name="process"/> reports itself unready; returns what its readiness says.</summary>
    private static async Task<string> SendUntilUnreadyAsync(OperationalClient api, Uri process, List<string> accepted, int limit)
    {
        using var http = new HttpClient();
        for (var i = 0; i < limit; i++)
        {
            accepted.Add(await api.IngestAsync(ChaosDeployment.IngestKey, $$"""{"name":"while the disk is full","content":{"padding":"{{Padding}}","i":{{i}} } }"""));
            if (i % 10 == 9)
            {
                using var ready = await http.GetAsync(new Uri(process, "/health/ready"));
                if (ready.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    return await ready.Content.ReadAsStringAsync();
                }
            }
        }

        Assert.Fail($"still ready after {limit} events on a full disk");
        return "";
    }

    private static async Task WaitForStatusAsync(Uri process, HttpStatusCode expected, TimeSpan timeout)
    {
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            using var ready = await http.GetAsync(new Uri(process, "/health/ready"));
            if (ready.StatusCode == expected)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"readiness stayed {(int)ready.StatusCode}: {await ready.Content.ReadAsStringAsync()}");
            await Task.Delay(250);
        }
    }
}
