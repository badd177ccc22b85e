using System.Text.Json;
using Operational.Contracts.Events;
using Operational.ServiceDefaults.Matching;
using Operational.ServiceDefaults.Statistics;
using Operational.ServiceDefaults.Validation;
using Operational.Storage.Metrics;

namespace Operational.UnitTests.Metrics;

/// <summary>What a saved metric takes from an event, decided without a store.</summary>
public sealed class SavedMetricsTests
{
    private static readonly DateTimeOffset Created = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    private static readonly SavedMetric Errors = new("p1", "slow-errors", "Slow errors",
        new EventConditions(new TextCondition(null, "job ", null), null, EventLevels.Error, null, null, null, null), "durationMs", "region", Created);

    [Fact]
    public void An_event_it_meets_counts_by_minute_hour_and_day_over_all_and_in_its_group()
    {
        var folded = Fold(Event("job failed", EventLevels.Error, Created.AddMinutes(3), ("durationMs", 1500), ("region", 3)));

        Assert.Equal(6, folded.Count(k => k.Key.Name == Errors.SeriesName));
        Assert.All(Resolutions.All, r => Assert.Contains(folded, k => k.Key.Resolution == r && k.Key.GroupKey == "region" && k.Key.GroupValue == "3"));
        Assert.All(folded.Where(k => k.Key.Name == Errors.SeriesName), k => Assert.Equal((1L, 1500.0), (k.Value.Count, k.Value.Sum)));
    }

    [Fact]
    public void Without_its_group_tag_an_event_counts_over_all_only()
    {
        var folded = Fold(Event("job failed", EventLevels.Error, Created.AddMinutes(3), ("durationMs", 1500)));

        Assert.Equal(3, folded.Count(k => k.Key.Name == Errors.SeriesName));
        Assert.All(folded.Where(k => k.Key.Name == Errors.SeriesName), k => Assert.Equal("", k.Key.GroupKey));
    }

    [Fact]
    public void Events_it_does_not_meet_received_before_it_or_without_a_number_add_nothing_to_it()
    {
        IngestedEvent[] events =
        [
            Event("job failed", EventLevels.Warning, Created.AddMinutes(1), ("durationMs", 10)),
            Event("backup failed", EventLevels.Error, Created.AddMinutes(1), ("durationMs", 10)),
            Event("job failed", EventLevels.Error, Created.AddMinutes(-1), ("durationMs", 10)),
            Event("job failed", EventLevels.Error, Created.AddMinutes(1), ("durationMs", "slow")),
            Event("job failed", EventLevels.Error, Created.AddMinutes(1), ("durationMs", 10)) with { Test = true },
        ];

        Assert.All(events, e => Assert.DoesNotContain(Fold(e), k => k.Key.Name == Errors.SeriesName));
    }

    [Fact]
    public void History_received_after_it_counts_in_its_own_time()
    {
        var old = Created.AddDays(-3);
        var backfilled = Event("job failed", EventLevels.Error, Created.AddMinutes(1), ("durationMs", 10)) with { Timestamp = old, Backfilled = true };

        var day = Assert.Single(Fold(backfilled), k => k.Key.Name == Errors.SeriesName && k.Key.Resolution == Resolution.Day && k.Key.GroupKey == "");

        Assert.Equal(RollupFolding.BucketOf(old, Resolution.Day), day.Key.BucketStart);
    }

    [Theory]
    [InlineData("""{"key": "ok", "field": "durationMs"}""", null)]
    [InlineData("""{"key": "-ok_1", "field": "a.b", "groupBy": "region", "title": "  Padded  "}""", null)]
    [InlineData("""{"key": "", "field": "durationMs"}""", "key")]
    [InlineData("""{"key": "UPPER", "field": "durationMs"}""", "key")]
    [InlineData("""{"key": "ok", "field": "duration ms"}""", "field")]
    [InlineData("""{"key": "ok", "field": "durationMs", "title": "two\nlines"}""", "title")]
    [InlineData("""{"key": "ok", "field": "durationMs", "match": {"content": {"a": {"b": 1}}}}""", "match.content.a")]
    public void A_definition_is_checked_field_by_field(string json, string? wrong)
    {
        var errors = new FieldErrors();
        var definition = JsonSerializer.Deserialize<SavedMetricDefinition>(json, JsonSerializerOptions.Web);

        var metric = SavedMetrics.Validate("p1", definition, Created, errors);

        if (wrong is null)
        {
            Assert.True(errors.IsEmpty);
            Assert.Equal(definition!.Title?.Trim() ?? definition.Key, metric!.Title);
        }
        else
        {
            Assert.Null(metric);
            Assert.True(errors.Has(wrong), string.Join("; ", errors.ToDictionary().Keys));
        }
    }

    private static Dictionary<RollupKey, MetricAggregate> Fold(IngestedEvent e)
    {
        var into = new Dictionary<RollupKey, MetricAggregate>();
        RollupFolding.Fold(e, into, new SavedMetrics.Set([Errors]));
        return into;
    }

    private static IngestedEvent Event(string name, string level, DateTimeOffset receivedAt, params (string Key, object Value)[] tags) =>
        new($"e-{Guid.NewGuid():N}", "p1", name, null, "jobs", null, receivedAt, receivedAt)
        {
            Level = level,
            Tags = tags.ToDictionary(t => t.Key, t => JsonSerializer.SerializeToElement(t.Value)),
        };
}
