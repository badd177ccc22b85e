using System.Text.Json;
using System.Text.Json.Nodes;
using Operational.Gateway.Ingest.Compatibility;
using Operational.ServiceDefaults.Validation;
using Operational.Storage.Insights;
using Operational.Storage.Users;

namespace Operational.UnitTests.Users;

/// <summary>The decisions behind users, insights and LogSnag's log, without a database.</summary>
public sealed class ProfileRulesTests
{
    [Fact]
    public void Merge_replaces_given_keys_removes_nulls_and_keeps_the_rest()
    {
        var current = JsonNode.Parse("""{"plan": "free", "email": "a@example.com", "seats": 1}""")!.AsObject();
        var errors = new FieldErrors();

        var merged = UserProperties.Merge(current, Json("""{"plan": "pro", "email": null, "beta": true}"""), "properties", errors);

        Assert.Equal("""{"plan":"pro","seats":1,"beta":true}""", merged!.ToJsonString());
        Assert.Equal("""{"plan":"free","email":"a@example.com","seats":1}""", current.ToJsonString()); // the stored one is not changed in place
    }

    [Fact]
    public void Merge_refuses_more_than_the_kept_number_of_properties()
    {
        var current = new JsonObject();
        for (var i = 0; i < UserProperties.MaxProperties; i++)
        {
            current[$"k{i}"] = i;
        }

        var errors = new FieldErrors();
        Assert.Null(UserProperties.Merge(current, Json("""{"one-more": 1}"""), "properties", errors));
        Assert.True(errors.Has("properties"));
        Assert.NotNull(UserProperties.Merge(current, Json("""{"k1": 2}"""), "properties", new FieldErrors())); // replacing is fine
    }

    [Theory]
    [InlineData("""{"address": {"city": "Oslo"}}""", "properties.address")]
    [InlineData("""{"tags": [1]}""", "properties.tags")]
    [InlineData("""{"bad key": 1}""", "properties.bad key")]
    [InlineData("[]", "properties")]
    public void Validate_names_the_property_at_fault(string json, string field)
    {
        var errors = new FieldErrors();
        UserProperties.Validate(Json(json), "properties", errors);
        Assert.True(errors.Has(field), errors.ToString());
    }

    [Fact]
    public void Increment_adds_as_decimals_counts_numeric_text_and_refuses_other_text()
    {
        Assert.Equal(0.3m, Insights.Increment(Json("0.1"), 0.2m, new FieldErrors())!.Value.GetDecimal()); // no binary drift
        Assert.Equal(5m, Insights.Increment(null, 5m, new FieldErrors())!.Value.GetDecimal());
        Assert.Equal(101m, Insights.Increment(Json("\"100\""), 1m, new FieldErrors())!.Value.GetDecimal());
        var errors = new FieldErrors();
        Assert.Null(Insights.Increment(Json("\"up\""), 1m, errors));
        Assert.Null(Insights.Increment(Json("true"), 1m, errors));
        Assert.True(errors.Has("value"));
    }

    [Fact]
    public void LogSnag_log_becomes_the_native_event_and_its_errors_keep_LogSnags_names()
    {
        var warnings = new List<Operational.Contracts.Events.EventWarning>();
        var native = LogSnagEvents.ToNative(Json("""
            {"project": "my-saas", "channel": "payments", "event": "Payment", "description": "$49", "icon": ":moneybag:",
             "notify": true, "tags": {"plan": "pro"}, "user_id": "u1", "timestamp": 1700000000.5, "parser": "markdown", "colour": "red"}
            """), new FieldErrors(), warnings)!.Value;

        Assert.Equal(("payments", "Payment", "$49", "💰", "u1"), (native.GetProperty("category").GetString(), native.GetProperty("name").GetString(),
            native.GetProperty("content").GetString(), native.GetProperty("avatar").GetString(), native.GetProperty("userId").GetString()));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_500), native.GetProperty("timestamp").GetDateTimeOffset());
        Assert.False(native.TryGetProperty("project", out _));
        Assert.Equal(["parser", "colour"], warnings.Select(w => w.Field));

        var errors = new FieldErrors();
        LogSnagEvents.Validate(Json("""{"channel": "c", "event": "", "user_id": ""}"""), DateTimeOffset.UtcNow, errors);
        Assert.True(errors.Has("event") && errors.Has("user_id") && !errors.Has("name"), errors.ToString());
    }

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
