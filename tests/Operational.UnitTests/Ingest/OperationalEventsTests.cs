using System.Text.Json;
using Operational.Contracts.Events;
using Operational.Gateway.Ingest.Compatibility;
using Operational.ServiceDefaults.Validation;

namespace Operational.UnitTests.Ingest;

/// <summary>The compatibility pass on its own: an Operational SDK's body becomes a native one, each change a warning.</summary>
public sealed class OperationalEventsTests
{
    [Fact]
    public void A_legacy_body_is_rewritten_into_the_native_format()
    {
        var name = "A very long event name that goes well past forty-eight characters";
        var (native, warnings, errors) = ToNative($$"""
            {"name":"{{name}}","avatar":"🎉🎉","notify":"1","test":0,"contextId":12,"type":"text","content":{"a":1},
             "actions":[{"key":"a","buttonText":"Go","url":"https://a.example","external":0,"icon":"x"}],
             "future":1,"muted":true,"tags":{"a":1},"level":"error","timestamp":"2026-01-01T00:00:00Z"}
            """);

        Assert.True(errors.IsEmpty);
        var expected = System.Text.Json.Nodes.JsonNode.Parse("""
            {"name":"A very long event name that goes well past forty","avatar":"🎉","notify":true,"test":false,"contextId":"12","type":"json","content":{"a":1},
             "actions":[{"key":"a","buttonText":"Go","url":"https://a.example","external":false}]}
            """);
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(expected, System.Text.Json.Nodes.JsonNode.Parse(native!.Value.GetRawText())), native.Value.GetRawText());
        Assert.Equal(["future", "type", "name", "avatar"], warnings.Select(w => w.Field));
        Assert.Equal(name, warnings.Single(w => w.Field == "name").Original);
        Assert.Equal("🎉🎉", warnings.Single(w => w.Field == "avatar").Original);
    }

    [Fact]
    public void A_nameless_event_takes_the_first_line_of_its_text_as_its_name()
    {
        var (native, warnings, _) = ToNative("""{"content":"disk\talmost full\non db-1"}""");

        Assert.Equal("disk almost full", native!.Value.GetProperty("name").GetString());
        Assert.Equal("name", Assert.Single(warnings).Field);
    }

    [Fact]
    public void What_the_native_rules_refuse_is_left_for_them_to_name()
    {
        var errors = new FieldErrors();
        using var document = JsonDocument.Parse("""{"name":"line\nbreak in a name that is longer than forty-eight characters","category":""}""");

        var draft = OperationalEvents.Validate(document.RootElement, DateTimeOffset.UtcNow, errors);

        Assert.Null(draft);
        Assert.Contains("control characters", errors.ToDictionary()["name"][0], StringComparison.Ordinal);
        Assert.Contains("must not be empty", errors.ToDictionary()["category"][0], StringComparison.Ordinal);
    }

    private static (JsonElement? Native, List<EventWarning> Warnings, FieldErrors Errors) ToNative(string json)
    {
        var errors = new FieldErrors();
        var warnings = new List<EventWarning>();
        using var document = JsonDocument.Parse(json);
        return (OperationalEvents.ToNative(document.RootElement, errors, warnings), warnings, errors);
    }
}
