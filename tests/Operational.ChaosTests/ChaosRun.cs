using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Operational.TestSupport;
using Xunit;

namespace Operational.ChaosTests;

/// <summary>
/// The settings of one chaos run: short enough for every CI run by default, longer when
/// <c>OPERATIONAL_CHAOS_SOAK_ROUNDS</c> asks for more rounds of kills (the soak).
/// </summary>
public static class ChaosRun
{
    public const string SoakVariable = "OPERATIONAL_CHAOS_SOAK_ROUNDS";

    /// <summary>Rounds of the kill loop: 2 unless the soak variable says more.</summary>
    public static int Rounds =>
        int.TryParse(Environment.GetEnvironmentVariable(SoakVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var rounds) && rounds > 0 ? rounds : 2;

    /// <summary>Senders at once, and the pause each makes between events (~100 events/s in all).</summary>
    public const int Senders = 4;

    public static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(40);

    public const int Contexts = 25;

    /// <summary>Every n-th event notifies (reaches the webhook channel).</summary>
    public const int NotifyEvery = 40;

    /// <summary>
    /// Sends events from <see cref="Senders"/> clients until <paramref name="stop"/> is cancelled, each
    /// with its own id, one of <see cref="Contexts"/> context ids, every <see cref="NotifyEvery"/>th notifying.
    /// </summary>
    public static Task StreamAsync(ResendingClient client, CancellationToken stop)
    {
        var sequence = 0;
        return Task.WhenAll(Enumerable.Range(0, Senders).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var n = Interlocked.Increment(ref sequence);
                try
                {
                    await client.SendAsync(Guid.CreateVersion7().ToString(), $"chaos-{n % Contexts}", n % NotifyEvery == 0, n, stop);
                    await Task.Delay(Pause, stop);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    // An event cut short here was never answered 202, so nothing was promised for it.
                }
            }
        })));
    }

    /// <summary>Waits until nothing is waiting in any consumer queue (nor unacknowledged).</summary>
    public static async Task WaitForDrainedQueuesAsync(RabbitMqNode node, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        IReadOnlyDictionary<string, int> depths;
        do
        {
            depths = await node.QueueDepthsAsync("/");
            if (depths.Where(d => !d.Key.EndsWith("_error", StringComparison.Ordinal)).All(d => d.Value == 0))
            {
                return;
            }

            await Task.Delay(500);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"Queues not drained within {timeout}: {string.Join(", ", depths.Select(d => $"{d.Key}={d.Value}"))}");
    }

    /// <summary>Every event the API lists for the project, paging through all of it.</summary>
    public static async Task<List<string>> ListAllEventIdsAsync(OperationalClient client, string key)
    {
        var ids = new List<string>();
        string? cursor = null;
        do
        {
            var page = await client.GetJsonAsync(key, "/v1/events?limit=500" + (cursor is null ? "" : "&cursor=" + cursor));
            ids.AddRange(page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetString()!));
            cursor = page.TryGetProperty("nextCursor", out var next) ? next.GetString() : null;
        }
        while (cursor is not null);

        return ids;
    }

    /// <summary>Waits until the API lists exactly <paramref name="expected"/> events (the last consumers may still be writing).</summary>
    public static async Task<List<string>> WaitForStoredAsync(OperationalClient client, string key, int expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var ids = await ListAllEventIdsAsync(client, key);
            if (ids.Count >= expected || DateTime.UtcNow >= deadline)
            {
                return ids;
            }

            await Task.Delay(1000);
        }
    }

    /// <summary>What a rule counted in all its buckets, read from the rules service's own database.</summary>
    public static long RuleCount(string rulesDatabase, string ruleId)
    {
        using var connection = new SqliteConnection($"Data Source={rulesDatabase};Mode=ReadOnly;Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(SUM(n), 0) FROM rule_counts WHERE rule_id = $rule";
        command.Parameters.AddWithValue("$rule", ruleId);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>The event ids the webhook receiver got notified of, with how often each.</summary>
    public static Dictionary<string, int> NotifiedEventIds(RecordingReceiver receiver) =>
        receiver.Requests
            .Select(r => JsonDocument.Parse(r.Body).RootElement)
            .Where(payload => payload.GetProperty("type").GetString() == "event")
            .Select(payload => payload.GetProperty("data").GetProperty("url").GetString()!["/events/".Length..])
            .GroupBy(id => id)
            .ToDictionary(g => g.Key, g => g.Count());
}
