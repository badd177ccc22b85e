using System.Text.Json;
using Operational.Rules.Definitions;
using Operational.ServiceDefaults.Validation;

namespace Operational.UnitTests.Rules;

public sealed class RuleValidatorTests
{
    [Theory]
    [InlineData("""{"kind":"match"}""", "name")]
    [InlineData("""{"name":"x","kind":"sometimes"}""", "kind")]
    [InlineData("""{"name":"x","kind":"threshold","threshold":{"count":5,"windowSeconds":0}}""", "threshold.windowSeconds")]
    [InlineData("""{"name":"x","kind":"threshold","threshold":{"count":5,"windowSeconds":2592001}}""", "threshold.windowSeconds")]
    [InlineData("""{"name":"x","kind":"threshold","threshold":{"count":0,"windowSeconds":60}}""", "threshold.count")]
    [InlineData("""{"name":"x","kind":"threshold"}""", "threshold")]
    [InlineData("""{"name":"x","kind":"volume","volume":{"min":1,"windowSeconds":60,"schedule":{"cron":"every minute"}}}""", "volume.schedule.cron")]
    [InlineData("""{"name":"x","kind":"volume","volume":{"min":1,"windowSeconds":60,"schedule":{"timeZone":"Europe/Atlantis"}}}""", "volume.schedule.timeZone")]
    [InlineData("""{"name":"x","kind":"volume","volume":{"min":5,"max":2,"windowSeconds":60}}""", "volume.max")]
    [InlineData("""{"name":"x","kind":"volume","volume":{"min":0,"windowSeconds":60}}""", "volume.min")]
    [InlineData("""{"name":"x","kind":"volume","volume":{"min":1,"windowSeconds":3600,"groupLookbackSeconds":60}}""", "volume.groupLookbackSeconds")]
    [InlineData("""{"name":"x","kind":"heartbeat","heartbeat":{"periodSeconds":3600,"schedule":{"cron":"0 9 * * *"}}}""", "heartbeat")]
    [InlineData("""{"name":"x","kind":"heartbeat","heartbeat":{"periodSeconds":5}}""", "heartbeat.periodSeconds")]
    [InlineData("""{"name":"x","kind":"heartbeat","heartbeat":{"periodSeconds":60,"maxRunSeconds":0}}""", "heartbeat.maxRunSeconds")]
    [InlineData("""{"name":"x","kind":"match","volume":{"min":1,"windowSeconds":60}}""", "volume")]
    [InlineData("""{"name":"x","kind":"match","repeatIntervalSeconds":600}""", "repeatIntervalSeconds")]
    [InlineData("""{"name":"x","kind":"match","match":{"level":"fatal"}}""", "match.level")]
    [InlineData("""{"name":"x","kind":"match","match":{"name":{"equals":"a","prefix":"b"}}}""", "match.name")]
    [InlineData("""{"name":"x","kind":"match","match":{"tags":{"plan":{"nested":true}}}}""", "match.tags.plan")]
    [InlineData("""{"name":"x","kind":"match","channels":["has space"]}""", "channels")]
    public void Invalid_rule_names_the_field(string json, string field)
    {
        var errors = new FieldErrors();

        var compiled = RuleValidator.Compile(Rule(json), errors);

        Assert.Null(compiled);
        Assert.True(errors.Has(field), $"expected an error for {field}, got: {errors}");
    }

    [Fact]
    public void Defaults_apply_to_a_minimal_volume_rule()
    {
        var errors = new FieldErrors();

        var rule = RuleValidator.Compile(Rule("""{"name":"leads","kind":"volume","volume":{"min":1,"windowSeconds":3600}}"""), errors)!;

        Assert.True(errors.IsEmpty, errors.ToString());
        Assert.Equal(("* * * * *", TimeZoneInfo.Utc, TimeSpan.FromMinutes(1)), (rule.CronText, rule.TimeZone, rule.Bucket));
        Assert.True(rule.Enabled);
    }

    [Fact]
    public void Six_field_cron_has_seconds()
    {
        var rule = RuleValidator.Compile(Rule("""{"name":"fast","kind":"volume","volume":{"min":1,"windowSeconds":10,"schedule":{"cron":"*/5 * * * * *","timeZone":"Europe/Berlin"}}}"""), new FieldErrors())!;

        var from = new DateTimeOffset(2026, 11, 23, 9, 0, 1, TimeSpan.Zero);
        Assert.Equal(from.AddSeconds(4), rule.Cron!.GetNextOccurrence(from, rule.TimeZone));
    }

    private static Rule Rule(string json) =>
        new("r1", "p1", JsonSerializer.Deserialize<RuleDefinition>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web))!, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
}
