using System.Net;
using System.Text.Json;
using Operational.TestSupport;
using Xunit;

namespace Operational.ChaosTests;

/// <summary>
/// The default, one-process host killed with SIGKILL again and again under a stream of events:
/// what it answered 202 for is in its journal and is stored after the restart, exactly once.
/// </summary>
public sealed class StandaloneChaosTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TempDirectory _data = new("operational-standalone-chaos");

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        _data.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Accepted_events_survive_kill_9_of_the_standalone_host_exactly_once()
    {
        await using var receiver = await RecordingReceiver.StartAsync();
        var host = await ServiceProcess.StartAsync("standalone", "compose/Operational.Standalone", "Operational.Standalone", new Dictionary<string, string>
        {
            ["Storage__Sqlite__DataDirectory"] = _data.Path,
            ["Bootstrap__AdminKey"] = ChaosDeployment.AdminKey,
            ["Bootstrap__IngestKey"] = ChaosDeployment.IngestKey,
            ["Notifications__Outbound__AllowedHosts__0"] = "127.0.0.1",
            ["RateLimits__Enabled"] = "false",
        });
        try
        {
            using var http = new HttpClient { BaseAddress = host.Address, Timeout = TimeSpan.FromSeconds(30) };
            var api = new OperationalClient(http);
            using (var channel = await api.PostAsync(ChaosDeployment.AdminKey, "/v1/channels",
                       $$"""{"name":"chaos feed","kind":"webhook","receive":["events"],"webhook":{"url":"{{receiver.Address}}notified"} }"""))
            {
                Assert.Equal(HttpStatusCode.Created, channel.StatusCode);
            }

            using var client = new ResendingClient(host.Address, ChaosDeployment.IngestKey);
            using var stop = new CancellationTokenSource();
            var stream = ChaosRun.StreamAsync(client, stop.Token);
            var kills = 0;
            try
            {
                for (var i = 0; i < 2 * ChaosRun.Rounds; i++)
                {
                    await Task.Delay(TimeSpan.FromSeconds(2.5));
                    host.Kill();
                    kills++;
                    var killed = host;
                    host = await host.StartAgainAsync(TimeSpan.FromSeconds(60));
                    await killed.DisposeAsync();
                }

                await Task.Delay(TimeSpan.FromSeconds(2));
            }
            finally
            {
                await stop.CancelAsync();
                await stream;
            }

            var accepted = client.Accepted.Values.ToList();
            output.WriteLine($"{kills} kills; {accepted.Count} events accepted; {client.Retries} resends");
            var stored = await ChaosRun.WaitForStoredAsync(api, ChaosDeployment.AdminKey, accepted.Count, TimeSpan.FromSeconds(60));
            var missing = accepted.Select(a => a.Id).Except(stored).ToList();
            Assert.True(missing.Count == 0, $"{missing.Count} accepted events are not stored, e.g. {string.Join(", ", missing.Take(5))}\n{host.Output}");
            Assert.Equal(stored.Count, stored.Distinct().Count());
            Assert.All(stored, id => Assert.True(client.Sent.ContainsKey(id), $"{id} is stored but was never sent"));
            var events = stored.Select(id => client.Sent[id]).ToList();

            foreach (var context in events.GroupBy(a => a.ContextId))
            {
                await api.WaitForContextAsync(ChaosDeployment.AdminKey, context.Key,
                    c => c.GetProperty("context").GetProperty("eventCount").GetInt32() == context.Count(), TimeSpan.FromSeconds(30));
            }

            var notify = events.Where(a => a.Notify).Select(a => a.Id).ToList();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (ChaosRun.NotifiedEventIds(receiver).Keys.Intersect(notify).Count() < notify.Count && DateTime.UtcNow < deadline)
            {
                await Task.Delay(500);
            }

            var notified = ChaosRun.NotifiedEventIds(receiver);
            Assert.Empty(notify.Except(notified.Keys));
            output.WriteLine($"{notify.Count} notifying events delivered; {notified.Values.Sum(n => n - 1)} more than once");
            Assert.Equal(0, (await api.GetJsonAsync(ChaosDeployment.AdminKey, "/v1/dead-letters")).GetProperty("total").GetInt64());
        }
        finally
        {
            await host.DisposeAsync();
        }
    }
}
