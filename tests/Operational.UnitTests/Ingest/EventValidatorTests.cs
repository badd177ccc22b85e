using System.Text.Json;
using Operational.Contracts.Events;
using Operational.Gateway.Ingest;
using Operational.Gateway.Ingest.Compatibility;
using Operational.Gateway.Ingest.Validation;
using Operational.ServiceDefaults.Validation;

namespace Operational.UnitTests.Ingest;

public sealed class EventValidatorTests
{
    [Fact]
    public void Minimal_event_is_valid()
    {
        var fields = Validate("""{"name":"user signed up"}""", out var errors);

        Assert.Empty(errors);
        Assert.Equal("user signed up", fields!.Event.Name);
        Assert.Null(fields.Event.Avatar);
        Assert.Null(fields.Event.Category);
        Assert.Null(fields.Event.Content);
    }

    [Fact]
    public void Strings_are_trimmed_and_content_kept_verbatim()
    {
        var fields = Validate("""{"name":"  deploy  ","category":" ci ","content":{"n":12345678901234567890.5,"s":[1,"a",null]}}""", out _);

        Assert.Equal("deploy", fields!.Event.Name);
        Assert.Equal("ci", fields.Event.Category);
        Assert.Equal("""{"n":12345678901234567890.5,"s":[1,"a",null]}""", fields.Event.Content!.Value.GetRawText());
    }

    [Theory]
    [InlineData("🎉")]
    [InlineData("👨‍👩‍👧")]
    [InlineData("🇫🇷")]
    [InlineData("A")]
    public void Avatar_is_one_character_however_many_code_points(string avatar)
    {
        var fields = Validate($$"""{"name":"x","avatar":"{{avatar}}"}""", out var errors);

        Assert.Empty(errors);
        Assert.Equal(avatar, fields!.Event.Avatar);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        Validate("""{"avatar":"ab","category":"","content":null,"extra":1}""", out var errors);

        Assert.Equal(["avatar", "category", "extra", "name"], errors.Keys.Order());
    }

    [Fact]
    public void Null_content_counts_as_absent()
    {
        var fields = Validate("""{"name":"x","content":null}""", out var errors);

        Assert.Empty(errors);
        Assert.Null(fields!.Event.Content);
    }

    [Fact]
    public void Duplicate_field_is_an_error()
    {
        Validate("""{"name":"a","name":"b"}""", out var errors);

        Assert.Contains("more than once", errors["name"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void Limits_are_enforced()
    {
        var longName = new string('n', EventValidator.MaxNameLength + 1);
        var longCategory = new string('c', EventValidator.MaxCategoryLength + 1);
        var bigContent = new string('x', EventValidator.MaxContentBytes);
        Validate($$"""{"name":"{{longName}}","category":"{{longCategory}}","content":"{{bigContent}}"}""", out var errors);

        Assert.Contains("at most 256", errors["name"][0], StringComparison.Ordinal);
        Assert.Contains("at most 64", errors["category"][0], StringComparison.Ordinal);
        Assert.Contains("bytes", errors["content"][0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[]", "an array")]
    [InlineData("\"text\"", "a string")]
    [InlineData("null", "null")]
    public void Body_must_be_an_object(string json, string described)
    {
        Validate(json, out var errors);

        Assert.Contains(described, errors["body"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void Every_field_of_the_event_model_is_read()
    {
        var draft = Validate("""
            {"id":"order-42:paid","name":"payment received","avatar":"💸","category":"billing","type":"rows",
             "content":[{"label":"Amount","content":"€49"},{"label":"Raw","type":"json","content":{"cents":4900}}],
             "contextId":"checkout-42","contextStart":true,"contextEnd":true,"contextTimeout":3600,
             "actions":[{"key":"refund","buttonText":"Refund","url":"https://shop.example/refund/42","repeat":true,"expireIn":60,"meta":{"order":42}},
                        {"buttonText":"Open","url":"https://shop.example/orders/42","external":true}],
             "notify":true,"test":true,"userId":"u-7","tags":{"plan":"pro","seats":5,"trial":false},"level":"success",
             "timestamp":"2026-11-22T10:00:00Z"}
            """, out var errors);

        Assert.Empty(errors);
        Assert.Equal("order-42:paid", draft!.ClientId);
        Assert.Equal(EventTypes.Rows, draft.Event.Type);
        Assert.Equal(2, draft.Event.Content!.Value.GetArrayLength());
        Assert.Equal("checkout-42", draft.Event.ContextId);
        Assert.True(draft.Event.ContextStart && draft.Event.ContextEnd && draft.Event.Notify && draft.Event.Test);
        Assert.Equal(3600, draft.Event.ContextTimeout);
        Assert.Equal("u-7", draft.Event.UserId);
        Assert.Equal(["plan", "seats", "trial"], draft.Event.Tags!.Keys.Order());
        Assert.Equal(EventLevels.Success, draft.Event.Level);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero), draft.Timestamp);
        var refund = draft.Event.Actions![0];
        Assert.Equal(("refund", "Refund", true, 60), (refund.Key, refund.ButtonText, refund.Repeat, refund.ExpireIn));
        Assert.Equal(42, refund.Meta!.Value.GetProperty("order").GetInt32());
        Assert.True(draft.Event.Actions[1].External);
        Assert.Null(draft.Event.Actions[1].Key);
        Assert.Equal(EventValidator.DefaultExpireInMinutes, draft.Event.Actions[1].ExpireIn);
        Assert.Null(draft.Event.Warnings);
    }

    [Theory]
    [InlineData("""{"name":"x","type":"text","content":{"a":1}}""", "content", "must be a string when type is text")]
    [InlineData("""{"name":"x","type":"video"}""", "type", "must be one of text, rows, json, image")]
    [InlineData("""{"name":"x","type":"rows","content":[{"label":"a","type":"rows","content":[]}]}""", "content[0].type", "rows cannot contain rows")]
    [InlineData("""{"name":"x","type":"rows","content":[]}""", "content", "array of 1 to 100 rows")]
    [InlineData("""{"name":"x","type":"image","content":"file:///etc/passwd"}""", "content", "absolute http or https URL")]
    [InlineData("""{"name":"x","actions":[{"key":"a","buttonText":"Go"}]}""", "actions[0].url", "is required")]
    [InlineData("""{"name":"x","actions":[{"buttonText":"Go","url":"https://a.example"}]}""", "actions[0].key", "required unless the action is external")]
    [InlineData("""{"name":"x","actions":[{"key":"a","buttonText":"This label is far too long for a button in the feed view","url":"https://a.example"}]}""", "actions[0].buttonText", "at most 48")]
    [InlineData("""{"name":"x","actions":[{"key":"a","buttonText":"Go","url":"https://a.example","expireIn":0}]}""", "actions[0].expireIn", "whole number of minutes")]
    [InlineData("""{"name":"x","tags":{"plan":{"tier":1}}}""", "tags.plan", "string, number or boolean")]
    [InlineData("""{"name":"x","tags":{"bad key":1}}""", "tags.bad key", "letters, digits")]
    [InlineData("""{"name":"x","level":"fatal"}""", "level", "info, success, warning, error")]
    [InlineData("""{"name":"x","timestamp":"yesterday"}""", "timestamp", "ISO 8601")]
    [InlineData("""{"name":"x","timestamp":"2999-01-01T00:00:00Z"}""", "timestamp", "minutes from now")]
    [InlineData("""{"name":"x","id":"has spaces"}""", "id", "letters, digits")]
    [InlineData("""{"name":"x","notify":"yes"}""", "notify", "true or false")]
    [InlineData("""{"name":"x","contextId":42}""", "contextId", "must be a string")]
    [InlineData("""{"name":"x","contextTimeout":0}""", "contextTimeout", "whole number of seconds")]
    [InlineData("""{"name":"x","contextTimeout":"1h"}""", "contextTimeout", "whole number of seconds")]
    [InlineData("""{"name":"x","contextEnd":"yes"}""", "contextEnd", "true or false")]
    [InlineData("""{"name":"x","avatar":"\u202e"}""", "avatar", "single emoji")] // a lone right-to-left override
    [InlineData("""{"name":"x","avatar":"\u200b"}""", "avatar", "single emoji")] // zero-width space
    public void Native_violations_name_the_field(string json, string field, string message)
    {
        Validate(json, out var errors);

        Assert.True(errors.ContainsKey(field), $"expected an error on {field}: {string.Join("; ", errors.Select(e => e.Key + ": " + string.Join(",", e.Value)))}");
        Assert.Contains(message, errors[field][0], StringComparison.Ordinal);
    }

    [Fact]
    public void Text_rows_may_hold_numbers_but_not_structures()
    {
        var draft = Validate("""{"name":"processing finished","type":"rows","content":[{"label":"Successful jobs","content":10},{"label":"Failed jobs","content":3},{"label":"Retried","content":false}]}""", out var errors);
        Validate("""{"name":"x","type":"rows","content":[{"label":"Raw","content":{"a":1}}]}""", out var structured);

        Assert.Empty(errors);
        Assert.Equal(3, draft!.Event.Content!.Value.GetArrayLength());
        Assert.Contains("type\": \"json", structured["content[0].content"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_timestamp_well_in_the_past_marks_the_event_as_backfilled()
    {
        var draft = Validate("""{"name":"imported","timestamp":"2026-11-01T00:00:00Z"}""", out _);
        var live = Validate("""{"name":"now"}""", out _);

        Assert.True(draft!.ToIngested("p", Now).Backfilled);
        Assert.False(live!.ToIngested("p", Now).Backfilled);
        Assert.Equal(Now, live.ToIngested("p", Now).Timestamp);
    }

    [Fact]
    public void Operational_dialect_truncates_like_Operational_and_keeps_the_full_value_in_a_warning()
    {
        var name = "A very long event name that goes well past forty-eight characters";
        var category = "a-category-longer-than-twenty-four";
        var draft = Validate($$"""{"name":"{{name}}","category":"{{category}}"}""", out var errors, operational: true);

        Assert.Empty(errors);
        Assert.Equal(name[..48].TrimEnd(), draft!.Event.Name);
        Assert.Equal(category[..24], draft.Event.Category);
        Assert.Contains(draft.Event.Warnings!, w => w.Field == "name" && w.Original == name);
        Assert.Contains(draft.Event.Warnings!, w => w.Field == "category" && w.Original == category);
    }

    [Fact]
    public void Operational_dialect_accepts_what_its_SDKs_send()
    {
        var draft = Validate("""
            {"name":"cron finished","avatar":"⏰","type":"text","content":"12 jobs","notify":1,"test":"1","muted":false,
             "contextId":1234,"contextStart":true,"userId":99,"actions":[],"future_field":"x"}
            """, out var errors, operational: true);

        Assert.Empty(errors);
        Assert.True(draft!.Event.Notify && draft.Event.Test && draft.Event.ContextStart);
        Assert.Equal("1234", draft.Event.ContextId);
        Assert.Equal("99", draft.Event.UserId);
        Assert.Null(draft.Event.Actions);
        Assert.Equal("12 jobs", draft.Event.Content!.Value.GetString());
        Assert.Contains(draft.Event.Warnings!, w => w.Field == "future_field");
        Assert.DoesNotContain(draft.Event.Warnings!, w => w.Field == "muted");
    }

    [Fact]
    public void Operational_dialect_stores_structured_text_content_as_json_and_names_nameless_events()
    {
        var structured = Validate("""{"name":"x","type":"text","content":{"a":1}}""", out var errors1, operational: true);
        var nameless = Validate("""{"content":"disk almost full\non db-1"}""", out var errors2, operational: true);

        Assert.Empty(errors1);
        Assert.Equal(EventTypes.Json, structured!.Event.Type);
        Assert.Empty(errors2);
        Assert.Equal("disk almost full", nameless!.Event.Name);
        Assert.Contains(nameless.Event.Warnings!, w => w.Field == "name");
    }

    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    /// <param name="operational">Through Operational's API: the compatibility pass, then the native rules.</param>
    private static EventDraft? Validate(string json, out IDictionary<string, string[]> errors, bool operational = false)
    {
        var found = new FieldErrors();
        using var document = JsonDocument.Parse(json);
        var draft = operational ? OperationalEvents.Validate(document.RootElement, Now, found) : EventValidator.Validate(document.RootElement, Now, found);
        errors = found.ToDictionary();
        return draft;
    }
}
