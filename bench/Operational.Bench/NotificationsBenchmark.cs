using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using MassTransit;
using Operational.Contracts.Events;
using Operational.Notifications;
using Operational.Notifications.Push;
using Operational.ServiceDefaults.Bus;
using Operational.ServiceDefaults.Hosting;
using Operational.ServiceDefaults.Identity;
using Operational.TestSupport;

namespace Operational.Bench;

/// <summary>
/// One notifying event fanned out to N web-push subscriptions (target: 1,000 within 2 s): the
/// notifications module as the standalone host composes it, in this process, pushing to a local
/// push-service stub (Kestrel, answering 201). Measured from publishing the event on the bus until
/// the stub has received every notification. Ceilings of the same run: encrypting N messages
/// alone, and N plain POSTs of the same size to the same stub.
/// </summary>
internal static class NotificationsBenchmark
{
    private const string Project = "bench";

    public static async Task RunAsync(int subscriptions, string dataDirectory)
    {
        var directory = Path.Combine(dataDirectory, "notifications-" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture));
        Report.Line($"## Notifications benchmark: one notifying event to {subscriptions:N0} web-push subscriptions");
        Report.Line();
        var received = 0;
        var stubUrl = $"http://127.0.0.1:{FreePort.Next()}";
        var stubBuilder = WebApplication.CreateSlimBuilder();
        stubBuilder.WebHost.UseUrls(stubUrl);
        stubBuilder.Logging.ClearProviders();
        await using var stub = stubBuilder.Build();
        stub.MapPost("/push/{n}", async (HttpContext http) =>
        {
            await http.Request.Body.CopyToAsync(Stream.Null);
            Interlocked.Increment(ref received);
            return Results.StatusCode(201);
        });
        await stub.StartAsync();

        var app = await StartNotificationsModuleAsync(directory);
        try
        {
            var store = app.Services.GetRequiredService<IPushStore>();
            var devices = new List<(byte[] PublicKey, byte[] Auth)>();
            for (var i = 0; i < subscriptions; i++)
            {
                using var key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
                var device = (WebPushEncryption.PublicKey(key), RandomNumberGenerator.GetBytes(16));
                devices.Add(device);
                await store.SaveSubscriptionAsync(new PushSubscription($"ps{i:D5}", Project, $"{stubUrl}/push/{i}", device.Item1, device.Item2, DateTimeOffset.UtcNow), CancellationToken.None);
            }

            var encryptSeconds = EncryptionCeiling(devices);
            var postSeconds = await PostCeilingAsync(stubUrl, subscriptions, () => Volatile.Read(ref received));

            var bus = app.Services.GetRequiredService<IBus>();
            var runs = new List<double>();
            for (var run = 0; run < 3; run++)
            {
                var before = Volatile.Read(ref received);
                var now = DateTimeOffset.UtcNow;
                var started = Stopwatch.StartNew();
                await bus.Publish(new EventsIngested(Guid.NewGuid(), now, [new IngestedEvent(Guid.NewGuid().ToString("N"), Project, "user signed up", "🎉", "signups", null, now, now) { Notify = true }]));
                while (Volatile.Read(ref received) - before < subscriptions && started.Elapsed < TimeSpan.FromSeconds(60))
                {
                    await Task.Delay(5);
                }

                runs.Add(Volatile.Read(ref received) - before >= subscriptions ? started.Elapsed.TotalSeconds : double.PositiveInfinity);
                Report.Progress($"  run {run + 1}: {subscriptions:N0} notifications received after {runs[^1]:0.00} s");
                await Task.Delay(500);
            }

            Report.Line("| measurement | result |");
            Report.Line("|---|---|");
            Report.Line($"| ceiling: encrypting {subscriptions:N0} messages (RFC 8291), all cores | {Report.F(encryptSeconds, "0.00")} s |");
            Report.Line($"| ceiling: {subscriptions:N0} plain POSTs of the same size to the stub, 64 at a time | {Report.F(postSeconds, "0.00")} s |");
            foreach (var seconds in runs)
            {
                Report.Line($"| event published → all {subscriptions:N0} pushes received by the stub | {Report.F(seconds, "0.00")} s (target ≤ 2 s: {(seconds <= 2 ? "met" : "MISSED")}) |");
            }

            Report.Line();
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            await stub.StopAsync();
        }
    }

    private static Task<WebApplication> StartNotificationsModuleAsync(string directory) =>
        ModuleHost.StartAsync(NotificationsServiceExtensions.ServiceName, directory,
            new Dictionary<string, string?> { ["Notifications:Outbound:AllowedHosts:0"] = "127.0.0.1" },
            builder => builder.AddNotificationsService().AddGatewayIdentityAuthentication().AddOperationalBus(bus => bus.AddNotificationsConsumers()),
            app => app.MapNotificationsService());

    private static double EncryptionCeiling(List<(byte[] PublicKey, byte[] Auth)> devices)
    {
        var payload = "{\"title\":\"🎉 user signed up\",\"body\":\"signups\",\"url\":\"/events/0196\",\"level\":\"info\",\"type\":\"event\"}"u8.ToArray();
        var started = Stopwatch.StartNew();
        Parallel.ForEach(devices, device => WebPushEncryption.Encrypt(payload, device.PublicKey, device.Auth));
        return started.Elapsed.TotalSeconds;
    }

    private static async Task<double> PostCeilingAsync(string stubUrl, int count, Func<int> received)
    {
        using var http = new HttpClient();
        var body = new byte[190];
        var before = received();
        var started = Stopwatch.StartNew();
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, ct) =>
        {
            using var response = await http.PostAsync($"{stubUrl}/push/{i}", new ByteArrayContent(body), ct);
        });
        var seconds = started.Elapsed.TotalSeconds;
        Debug.Assert(received() - before == count);
        return seconds;
    }
}
