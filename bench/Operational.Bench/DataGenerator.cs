using System.Text;
using System.Text.Json;
using Operational.Contracts.Events;

namespace Operational.Bench;

/// <summary>
/// Deterministic, realistic-looking events: a few dozen names, a skewed set of categories,
/// text whose words follow a Zipf-like distribution over a 5,000-word vocabulary (so some
/// words are in most events and some in almost none), a share of rows and tagged events.
/// </summary>
internal sealed class DataGenerator(int seed = 42)
{
    public static readonly string[] Categories =
        ["signups", "payments", "cron", "errors", "deploys", "emails", "billing", "auth", "webhooks", "search",
         "exports", "imports", "support", "trials", "refunds", "alerts", "backups", "queues", "reports", "audits"];

    private static readonly string[] Names =
        ["user signed up", "payment received", "cron job finished", "deploy finished", "email bounced", "invoice paid",
         "password reset", "webhook failed", "search reindexed", "export ready", "import failed", "ticket opened",
         "trial started", "refund issued", "disk almost full", "backup completed", "queue backed up", "report generated",
         "login from new device", "subscription cancelled", "plan upgraded", "api key created", "job retried", "sync completed"];

    private readonly Random _random = new(seed);

    public string[] Vocabulary { get; } = BuildVocabulary(5000);

    /// <summary>A word by Zipf-like rank: rank r is picked with probability ∝ 1/r.</summary>
    public string Word()
    {
        var u = _random.NextDouble();
        var rank = (int)Math.Pow(Vocabulary.Length, u); // 1..N, log-uniform ≈ Zipf(1)
        return Vocabulary[Math.Clamp(rank - 1, 0, Vocabulary.Length - 1)];
    }

    public string Category()
    {
        // Skewed: the first categories are much more common than the last.
        var index = (int)(Categories.Length * Math.Pow(_random.NextDouble(), 2.5));
        return Categories[Math.Clamp(index, 0, Categories.Length - 1)];
    }

    public IngestedEvent Event(string projectId, long n, DateTimeOffset timestamp)
    {
        var kind = _random.Next(100);
        var sentence = new StringBuilder();
        for (var i = 0; i < 8 + _random.Next(13); i++)
        {
            sentence.Append(i == 0 ? "" : " ").Append(Word());
        }

        var (type, content) = kind switch
        {
            < 70 => (EventTypes.Text, JsonSerializer.SerializeToElement(sentence.ToString())),
            < 85 => (EventTypes.Rows, JsonSerializer.SerializeToElement(new[]
            {
                new { label = "Detail", content = sentence.ToString() },
                new { label = "Id", content = n.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            })),
            _ => (EventTypes.Json, JsonSerializer.SerializeToElement(new { n, amount = _random.Next(1, 10_000), currency = "EUR" })),
        };

        return new IngestedEvent(
            Id: $"bench-{n:D9}",
            ProjectId: projectId,
            Name: Names[_random.Next(Names.Length)],
            Avatar: "📈",
            Category: _random.Next(10) == 0 ? null : Category(),
            Content: content,
            Timestamp: timestamp,
            ReceivedAt: timestamp)
        {
            Type = type,
            UserId = _random.Next(4) == 0 ? $"user-{_random.Next(50_000)}" : null,
            Tags = _random.Next(10) == 0 ? new Dictionary<string, JsonElement> { ["plan"] = JsonSerializer.SerializeToElement(_random.Next(3) == 0 ? "pro" : "free") } : null,
            Level = _random.Next(20) == 0 ? EventLevels.Error : EventLevels.Info,
        };
    }

    /// <summary>The sample JSON body of one ingest request (about 300 bytes).</summary>
    public static string RequestBody(long n) =>
        "{\"name\":\"user signed up\",\"avatar\":\"🎉\",\"category\":\"signups\",\"content\":\"plan pro, seat " + n.ToString(System.Globalization.CultureInfo.InvariantCulture) +
        ", referred by a friend\",\"tags\":{\"plan\":\"pro\"}}";

    private static string[] BuildVocabulary(int size)
    {
        string[] syllables = ["ka", "lo", "mi", "ra", "ten", "so", "vu", "pe", "dor", "xi", "na", "bel", "qu", "tri", "zo", "fan", "gil", "hep", "jor", "wex"];
        var random = new Random(7);
        var words = new HashSet<string>();
        while (words.Count < size)
        {
            var word = new StringBuilder();
            for (var i = 0; i < 2 + random.Next(3); i++)
            {
                word.Append(syllables[random.Next(syllables.Length)]);
            }

            words.Add(word.ToString());
        }

        return [.. words];
    }
}
