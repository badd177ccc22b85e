using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Operational.Client;
using Operational.TestSupport;
using OperationalClient = Operational.Client.OperationalClient;

namespace Operational.ClientTests;

/// <summary>The SDK's background sender against the standalone host running as its own process, killed and started again.</summary>
public sealed class ClientDeliveryTests : IAsyncLifetime
{
    private const string AdminKey = "op_admin_client-tests-0123456789abcdef";
    private const string IngestKey = "op_ingest_client-tests-0123456789abcdef";

    private readonly TempDirectory _data = new("operational-client");
    private ServiceProcess _host = null!;

    public async ValueTask InitializeAsync() =>
        _host = await ServiceProcess.StartAsync("standalone", "compose/Operational.Standalone", "Operational.Standalone", new Dictionary<string, string>
        {
            ["Storage__Sqlite__DataDirectory"] = _data.Path,
            ["Bootstrap__AdminKey"] = AdminKey,
            ["Bootstrap__IngestKey"] = IngestKey,
        });

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task Ten_thousand_events_sent_across_a_server_restart_arrive_exactly_once()
    {
        await using var client = new OperationalClient(Options(_host.Address));
        var run = Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 5_000; i++)
        {
            client.Send(Event(run, i));
        }

        // kill -9 while the sender is busy, and events keep coming while the server is away.
        await Task.Delay(200);
        _host.Kill();
        for (var i = 5_000; i < 10_000; i++)
        {
            client.Send(Event(run, i));
        }

        await Task.Delay(TimeSpan.FromSeconds(3));
        _host = await _host.StartAgainAsync();
        await client.FlushAsync(new CancellationTokenSource(TimeSpan.FromSeconds(90)).Token);

        Assert.Equal(0, client.Dropped);
        var ids = await StoredIdsAsync(run, expected: 10_000);
        Assert.Equal(10_000, ids.Count);
        Assert.Equal(10_000, ids.Distinct().Count());
    }

    [Fact]
    public async Task Disposing_the_client_sends_what_is_buffered()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        await using (var client = new OperationalClient(Options(_host.Address)))
        {
            for (var i = 0; i < 1_000; i++)
            {
                client.Send(Event(run, i));
            }
        }

        Assert.Equal(1_000, (await StoredIdsAsync(run, expected: 1_000)).Count);
    }

    [Fact]
    public async Task An_app_whose_server_is_unreachable_keeps_running_with_a_bounded_buffer()
    {
        var nowhere = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        var options = Options(nowhere);
        options.BufferCapacity = 1_000;
        options.ShutdownTimeout = TimeSpan.FromSeconds(1);
        var client = new OperationalClient(options);

        var before = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 0; i < 100_000; i++)
        {
            client.Send(Event("nowhere", i)); // never throws, never waits
        }

        Assert.True(client.Waiting <= 1_000, $"{client.Waiting} events are waiting");
        Assert.True(client.Dropped >= 98_000, $"only {client.Dropped} dropped");
        var grown = GC.GetTotalMemory(forceFullCollection: true) - before;
        Assert.True(grown < 20_000_000, $"memory grew by {grown} bytes for a buffer of 1,000 events");

        var stopping = Stopwatch.StartNew();
        await client.DisposeAsync();
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(5), $"disposing took {stopping.Elapsed}");
    }

    [Fact]
    public async Task Waiting_for_delivery_says_what_the_server_made_of_the_event()
    {
        await using var client = new OperationalClient(Options(_host.Address));
        var e = Event("direct", 1) with { Id = "sdk-direct-" + Guid.NewGuid().ToString("N") };

        var first = await client.SendAsync(e, waitForDelivery: true);
        var again = await client.SendAsync(e, waitForDelivery: true);
        var invalid = await client.SendAsync(new OperationalEvent(""), waitForDelivery: true);

        Assert.Equal((true, false), (first.Accepted, first.Duplicate));
        Assert.Equal((true, true), (again.Accepted, again.Duplicate));
        Assert.Equal((false, 400), (invalid.Accepted, invalid.Status));
    }

    [Fact]
    public async Task A_context_sends_its_start_its_steps_and_a_failed_end_after_an_exception()
    {
        await using var client = new OperationalClient(Options(_host.Address));
        string contextId;
        await using (var run = client.StartContext("nightly backup", avatar: "💾", category: "cron"))
        {
            contextId = run.ContextId;
            run.Log("database dumped", "812 MB");
            try
            {
                throw new IOException("disk full");
            }
            catch (IOException e)
            {
                run.Fail(e);
            }
        }

        await client.FlushAsync();
        using var http = new HttpClient { BaseAddress = _host.Address };
        var context = await new Operational.TestSupport.OperationalClient(http).WaitForContextAsync(AdminKey, contextId,
            d => d.GetProperty("context").GetProperty("status").GetString() == "failed", TimeSpan.FromSeconds(15));
        Assert.Equal(3, context.GetProperty("context").GetProperty("eventCount").GetInt32());
        Assert.Contains("disk full", context.GetProperty("events").EnumerateArray().Last().GetProperty("content").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pinging_an_unknown_check_is_not_found_and_never_throws()
    {
        await using var client = new OperationalClient(Options(_host.Address));

        var ping = await client.PingAsync(Guid.NewGuid(), "start");
        Assert.Equal((false, 404, true), (ping.Recorded, ping.Status, ping.NotFound));
        var bySlug = await client.PingAsync("op_ping_not-a-key-0123456789abcdef", "backup", "3", "output");
        Assert.Equal((false, 404), (bySlug.Recorded, bySlug.Status));
    }

    [Fact]
    public async Task Registered_from_configuration_the_client_sends_with_its_options_and_flushes_with_the_container()
    {
        var category = "configured-" + Guid.NewGuid().ToString("N")[..8];
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Operational:BaseAddress"] = _host.Address.ToString(),
            ["Operational:ApiKey"] = IngestKey,
            ["Operational:BatchSize"] = "7",
            ["Operational:Linger"] = "00:00:02",
        }).Build();
        var services = new ServiceCollection().AddOperational(configuration.GetSection("Operational"));
        await using (var provider = services.BuildServiceProvider())
        {
            var ops = provider.GetRequiredService<IOperationalClient>();
            for (var i = 0; i < 20; i++)
            {
                ops.Send(new OperationalEvent("configured") { Category = category });
            }
        } // disposing the container disposes the client: the last, partial batch goes now, not after the 2 s linger

        using var http = new HttpClient { BaseAddress = _host.Address };
        var events = await new Operational.TestSupport.OperationalClient(http).WaitForJsonAsync(AdminKey, $"/v1/events?category={category}",
            e => e.GetProperty("events").GetArrayLength() == 20, TimeSpan.FromSeconds(10));
        Assert.Equal(20, events.GetProperty("events").GetArrayLength());

        var missingKey = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Operational:BaseAddress"] = _host.Address.ToString() }).Build();
        var refused = Assert.Throws<ArgumentException>(() => { new ServiceCollection().AddOperational(missingKey.GetSection("Operational")); });
        Assert.Contains("ApiKey", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Actions_and_a_context_timeout_are_sent_as_the_events_api_takes_them()
    {
        await using var client = new OperationalClient(Options(_host.Address));
        var sent = await client.SendAsync(new OperationalEvent("refund requested")
        {
            ContextId = "order-" + Guid.NewGuid().ToString("N")[..8],
            ContextStart = true,
            ContextTimeout = 900,
            Actions = [new EventAction("Refund", "https://shop.example.com/refund") { Key = "refund", ExpireIn = 60, Meta = new JsonObject { ["order"] = 7 } }],
        }, waitForDelivery: true);
        Assert.True(sent.Accepted, sent.Error);

        using var http = new HttpClient { BaseAddress = _host.Address };
        var stored = await new Operational.TestSupport.OperationalClient(http).WaitForEventAsync(AdminKey, sent.Id!, TimeSpan.FromSeconds(10));
        var action = Assert.Single(stored.GetProperty("actions").EnumerateArray());
        Assert.Equal(("refund", "Refund", 7), (action.GetProperty("key").GetString(), action.GetProperty("buttonText").GetString(), action.GetProperty("meta").GetProperty("order").GetInt32()));
        Assert.Equal(900, stored.GetProperty("contextTimeout").GetInt32());
    }

    [Fact]
    public async Task Reading_pages_through_the_filtered_events_and_the_live_feed_yields_new_ones()
    {
        await using var reader = new OperationalClient(new OperationalClientOptions { BaseAddress = _host.Address, ApiKey = AdminKey });
        await using var sender = new OperationalClient(Options(_host.Address));
        var run = Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 450; i++)
        {
            sender.Send(Event(run, i));
        }

        await sender.FlushAsync();
        await StoredIdsAsync(run, expected: 450);
        var read = new List<StoredEvent>();
        await foreach (var e in reader.GetEventsAsync(new EventQuery(Tag: $"run:{run}", PageSize: 100)))
        {
            read.Add(e);
        }

        Assert.Equal(450, read.Select(e => e.Id).Distinct().Count());
        Assert.All(read, e => Assert.Equal("sdk", e.Category));

        using var listening = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var live = Task.Run(async () =>
        {
            await foreach (var e in reader.StreamEventsAsync(cancellationToken: listening.Token))
            {
                if (e.Name == "live " + run)
                {
                    return e;
                }
            }

            return null;
        });
        await Task.Delay(500);
        sender.Send(new OperationalEvent("live " + run));
        var arrived = await live;
        Assert.NotNull(arrived);

        await using var ingestOnly = new OperationalClient(Options(_host.Address));
        var refused = await Assert.ThrowsAsync<OperationalReadException>(async () => await ingestOnly.GetEventsAsync().FirstAsync());
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, refused.Status);
    }

    private static OperationalClientOptions Options(Uri address) => new() { BaseAddress = address, ApiKey = IngestKey, MaxRetryDelay = TimeSpan.FromSeconds(1) };

    private static OperationalEvent Event(string run, int i) => OperationalEvent.Text("sdk load", $"event {i}") with
    {
        Category = "sdk",
        Tags = new Dictionary<string, JsonNode?> { ["run"] = run, ["n"] = i },
    };

    /// <summary>The ids of the run's stored events, read back page by page once the count is reached (or after 60 s).</summary>
    private async Task<List<string>> StoredIdsAsync(string run, int expected)
    {
        using var http = new HttpClient { BaseAddress = _host.Address };
        var api = new Operational.TestSupport.OperationalClient(http);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        List<string> ids;
        do
        {
            ids = [];
            string? cursor = null;
            do
            {
                var page = await api.GetJsonAsync(AdminKey, $"/v1/events?tag=run:{run}&limit=200" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"));
                ids.AddRange(page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetString()!));
                cursor = page.TryGetProperty("nextCursor", out var next) && next.ValueKind == System.Text.Json.JsonValueKind.String ? next.GetString() : null;
            }
            while (cursor is not null);

            if (ids.Count >= expected)
            {
                return ids;
            }

            await Task.Delay(500);
        }
        while (DateTime.UtcNow < deadline);

        return ids;
    }
}
