using System.Text.Json;
using Operational.ServiceDefaults.Hosting;

namespace Operational.UnitTests.Hosting;

public sealed class JsonEncodingTests
{
    private static readonly JsonSerializerOptions Options = Create();

    [Theory]
    [InlineData("🎉", "\"🎉\"")]
    [InlineData("👨‍👩‍👧 family", "\"👨‍👩‍👧 family\"")]
    [InlineData("café ⏰", "\"café ⏰\"")]
    [InlineData("quote \" backslash \\", "\"quote \\\" backslash \\\\\"")]
    [InlineData("tab\tnul\u0000", "\"tab\\tnul\\u0000\"")]
    public void Emoji_stay_readable_and_what_json_requires_is_escaped(string value, string expected)
    {
        var json = JsonSerializer.Serialize(value, Options);

        Assert.Equal(expected, json);
        Assert.Equal(value, JsonSerializer.Deserialize<string>(json, Options));
    }

    [Fact]
    public void A_lone_surrogate_is_escaped_rather_than_written_as_invalid_utf8()
    {
        var json = JsonSerializer.Serialize("x\uD800y", Options);

        Assert.DoesNotContain("\uD800", json, StringComparison.Ordinal);
        Assert.True(System.Text.Unicode.Utf8.IsValid(System.Text.Encoding.UTF8.GetBytes(json)));
    }

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions();
        ServiceDefaultsExtensions.ConfigureJson(options);
        return options;
    }
}
