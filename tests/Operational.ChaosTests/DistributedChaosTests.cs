using System.Net;
using System.Text.Json;
using Operational.TestSupport;
using Xunit;

namespace Operational.ChaosTests;

/// <summary>
/// A stream of events with ids and contexts goes through the distributed deployment while every
/// process in turn is killed with SIGKILL and started again — each service, the broker, the
/// gateway. Afterwards every accepted event is stored exactly once, every context counts exactly
/// its events, the volume rule counted exactly the events sent, and every notifying event reached
/// the webhook at least once.
/// </summary>
public sealed class DistributedChaosTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Accepted_events_survive_kill_9_of_every_process_and_the_broker_exactly_once()
    {
        await using var receiver = await RecordingReceiver.StartAsync();
        await using var deployment = await ChaosDeployment.StartAsync();
        using var http = new HttpClient { BaseAddress = deployment.Gateway.Address, Timeout = TimeSpan.FromSeconds(30) };
        var api = new OperationalClient(http);

        var channel = await CreatedIdAsync(await api.PostAsync(ChaosDeployment.AdminKey, "/v1/channels",
            $$"""{"name":"chaos feed","kind":"webhook","receive":["events"],"webhook":{"url":"{{receiver.Address}}notified"} }"""));
        var rule = await CreatedIdAsync(await api.PostAsync(ChaosDeployment.AdminKey, "/v1/rules",
            $$"""{"name":"every chaos event","kind":"volume","match":{"name":{"equals":"chaos event"} },"volume":{"min":0,"max":100000000,"windowSeconds":86400},"channels":["{{channel}}"] }"""));

        using var client = new ResendingClient(deployment.Gateway.Address, ChaosDeployment.IngestKey);
        using var stop = new CancellationTokenSource();
        var stream = ChaosRun.StreamAsync(client, stop.Token);
        var kills = 0;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
            for (var round = 0; round < ChaosRun.Rounds; round++)
            {
                foreach (var service in ChaosDeployment.Services)
                {
                    await deployment.KillAndRestartAsync(service, TimeSpan.FromMilliseconds(500));
                    kills++;
                    await Task.Delay(TimeSpan.FromSeconds(1.5));
                }
            }

            // The broker mid-stream: no clean shutdown, durable queues and persistent messages recovered from disk.
            await deployment.Broker.KillAsync();
            kills++;
            await Task.Delay(TimeSpan.FromSeconds(2));
            await deployment.Broker.ResumeAsync();
            await deployment.Gateway.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
            await Task.Delay(TimeSpan.FromSeconds(3));

            await deployment.KillAndRestartAsync("gateway", TimeSpan.FromMilliseconds(500));
            kills++;
            await Task.Delay(TimeSpan.FromSeconds(3));
        }
        finally
        {
            await stop.CancelAsync();
            await stream;
        }

        foreach (var service in ChaosDeployment.Services)
        {
            await deployment[service].WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
        }

        await ChaosRun.WaitForDrainedQueuesAsync(deployment.Broker.Node, TimeSpan.FromMinutes(2));
        var accepted = client.Accepted.Values.ToList();
        output.WriteLine($"{kills} kills; {accepted.Count} events accepted; {client.Unavailable} answers 503; {client.Retries} resends");
        Assert.True(accepted.Count > 500, $"only {accepted.Count} events were accepted during the run");

        // Storage: every accepted event exactly once, and nothing that was not sent.
        var stored = await ChaosRun.WaitForStoredAsync(api, ChaosDeployment.AdminKey, accepted.Count, TimeSpan.FromSeconds(60));
        var missing = accepted.Select(a => a.Id).Except(stored).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} accepted events are not stored, e.g. {string.Join(", ", missing.Take(5))}\n{deployment.Output("storage")}");
        Assert.Equal(stored.Count, stored.Distinct().Count());
        Assert.All(stored, id => Assert.True(client.Sent.ContainsKey(id), $"{id} is stored but was never sent"));
        // Events whose 202 never reached the client (cut off by a kill or by the end of the stream) may be stored too.
        var events = stored.Select(id => client.Sent[id]).ToList();
        output.WriteLine($"{events.Count} events stored: the {accepted.Count} accepted and {events.Count - accepted.Count} whose answer the client never got");

        // Contexts: each counts exactly its stored events.
        foreach (var context in events.GroupBy(a => a.ContextId))
        {
            var counted = (await api.GetJsonAsync(ChaosDeployment.AdminKey, $"/v1/contexts/{context.Key}")).GetProperty("context").GetProperty("eventCount").GetInt32();
            Assert.True(counted == context.Count(), $"context {context.Key} counts {counted} events, {context.Count()} are stored");
        }

        // Rules: the volume rule counted each event once, redelivered batches included.
        Assert.Equal(events.Count, ChaosRun.RuleCount(Path.Combine(deployment.DataPath, "rules", "rules.db"), rule));

        // Notifications: every notifying event reached the webhook, at least once.
        var notify = events.Where(a => a.Notify).Select(a => a.Id).ToList();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        Dictionary<string, int> notified;
        while ((notified = ChaosRun.NotifiedEventIds(receiver)).Keys.Intersect(notify).Count() < notify.Count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
        }

        var undelivered = notify.Except(notified.Keys).ToList();
        Assert.True(undelivered.Count == 0, $"{undelivered.Count} of {notify.Count} notifying events never reached the webhook\n{deployment.Output("notifications")}");
        var duplicates = notified.Values.Sum(n => n - 1);
        output.WriteLine($"{notify.Count} notifying events delivered; {duplicates} delivered more than once (at least once is the promise)");

        // Nothing was poison: nothing waits in the dead letters.
        var deadLetters = await api.GetJsonAsync(ChaosDeployment.AdminKey, "/v1/dead-letters");
        Assert.Equal(0, deadLetters.GetProperty("total").GetInt64());
    }

    private static async Task<string> CreatedIdAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Created, body);
            return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
        }
    }
}
