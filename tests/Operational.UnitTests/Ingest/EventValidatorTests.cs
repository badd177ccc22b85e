using System.Text.Json;
using Operational.Gateway.Ingest;

namespace Operational.UnitTests.Ingest;

public sealed class EventValidatorTests
{
    [Fact]
    public void Minimal_event_is_valid()
    {
        var fields = Validate("""{"name":"user signed up"}""", out var errors);

        Assert.Empty(errors);
        Assert.Equal("user signed up", fields!.Name);
        Assert.Null(fields.Avatar);
        Assert.Null(fields.Category);
        Assert.Null(fields.Content);
    }

    [Fact]
    public void Strings_are_trimmed_and_content_kept_verbatim()
    {
        var fields = Validate("""{"name":"  deploy  ","category":" ci ","content":{"n":12345678901234567890.5,"s":[1,"a",null]}}""", out _);

        Assert.Equal("deploy", fields!.Name);
        Assert.Equal("ci", fields.Category);
        Assert.Equal("""{"n":12345678901234567890.5,"s":[1,"a",null]}""", fields.Content!.Value.GetRawText());
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
        Assert.Equal(avatar, fields!.Avatar);
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
        Assert.Null(fields!.Content);
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

    private static EventFields? Validate(string json, out Dictionary<string, string[]> errors)
    {
        errors = [];
        using var document = JsonDocument.Parse(json);
        return EventValidator.Validate(document.RootElement, errors);
    }
}
