using System.Globalization;
using System.Text.Json;
using Xunit;

namespace Operational.TestSupport;

/// <summary>
/// The classic context: a cron job reports its start, its progress and its end with a rows
/// summary. Used by the API test (standalone) and the end-to-end test (separate processes).
/// </summary>
public sealed class CronRunExample(DateTimeOffset startedAt)
{
    public string ContextId { get; } = "cron-" + Guid.NewGuid().ToString("N")[..12];

    public DateTimeOffset StartedAt => startedAt;

    public DateTimeOffset FinishedAt => startedAt.AddSeconds(65);

    /// <summary>The three events in the order the job sends them.</summary>
    public IReadOnlyList<string> Events =>
    [
        $$"""{"name":"cron job started","avatar":"🤖","category":"cron","contextId":"{{ContextId}}","contextStart":true,"timestamp":"{{At(0)}}"}""",
        $$"""{"name":"processing","avatar":"⚙️","category":"cron","contextId":"{{ContextId}}","timestamp":"{{At(1)}}"}""",
        $$"""{"name":"processing finished","avatar":"✅","category":"cron","contextId":"{{ContextId}}","contextEnd":true,"level":"success","type":"rows","content":[{"label":"Successful jobs","content":10},{"label":"Failed jobs","content":3}],"timestamp":"{{At(65)}}"}""",
    ];

    /// <summary>The context has all three events from storage.</summary>
    public static bool IsComplete(JsonElement detail) =>
        detail.GetProperty("context").GetProperty("eventCount").GetInt64() == 3 &&
        detail.GetProperty("events") is { ValueKind: JsonValueKind.Array } events && events.GetArrayLength() == 3;

    /// <summary>One completed context, titled by its start, lasting 65 s, with its events in order and the rows intact.</summary>
    public void AssertShown(JsonElement detail)
    {
        var context = detail.GetProperty("context");
        Assert.Equal(ContextId, context.GetProperty("contextId").GetString());
        Assert.Equal("cron job started", context.GetProperty("title").GetString());
        Assert.Equal("🤖", context.GetProperty("avatar").GetString());
        Assert.Equal("completed", context.GetProperty("status").GetString());
        Assert.Equal(65_000, context.GetProperty("durationMs").GetInt64());
        Assert.Equal(startedAt, context.GetProperty("firstEventAt").GetDateTimeOffset());
        Assert.Equal(FinishedAt, context.GetProperty("lastEventAt").GetDateTimeOffset());
        Assert.Equal(1, context.GetProperty("levels").GetProperty("success").GetInt64());
        Assert.Equal(2, context.GetProperty("levels").GetProperty("info").GetInt64());

        var events = detail.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["cron job started", "processing", "processing finished"], events.Select(e => e.GetProperty("name").GetString()));
        var rows = events[2].GetProperty("content");
        Assert.Equal("rows", events[2].GetProperty("type").GetString());
        Assert.Equal("Successful jobs", rows[0].GetProperty("label").GetString());
        Assert.Equal(10, rows[0].GetProperty("content").GetInt32());
        Assert.Equal(3, rows[1].GetProperty("content").GetInt32());
        Assert.True(events[2].GetProperty("contextEnd").GetBoolean());
    }

    private string At(int seconds) => startedAt.AddSeconds(seconds).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
