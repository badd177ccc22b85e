using System.Net;
using System.Text;
using Operational.TestSupport;

namespace Operational.ApiTests;

/// <summary>
/// Hundreds of malformed requests against every ingest endpoint: each must get a 4xx
/// problem+json (never a 5xx, never a 2xx), and none may reach the bus or the store.
/// </summary>
public sealed class MalformedInputTests
{
    private static readonly string[] IngestPaths = ["/v1/events", "/api/v1/log", "/api/v1/ingest"];

    [Fact]
    public async Task Every_malformed_request_gets_a_4xx_problem_and_nothing_is_stored()
    {
        await using var factory = new StandaloneFactory();
        var client = factory.CreateOperationalClient();
        var cases = Cases().ToList();
        Assert.True(cases.Count >= 300, $"only {cases.Count} cases");

        var failures = new List<string>();
        foreach (var c in cases)
        {
            using var response = await client.PostAsync(c.Key, c.Path, c.Body, c.ContentType);
            var status = (int)response.StatusCode;
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            if (status is < 400 or >= 500 || mediaType != "application/problem+json")
            {
                failures.Add($"{c.Name} on {c.Path}: {status} {mediaType} {await response.Content.ReadAsStringAsync()}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} cases were not a 4xx problem:\n" + string.Join('\n', failures.Take(20)));
        Assert.Empty(factory.Sink.Batches);
        var stored = await client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/events?limit=500");
        Assert.Equal(0, stored.GetProperty("events").GetArrayLength());
        var testStored = await client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/events?limit=500&test=true");
        Assert.Equal(0, testStored.GetProperty("events").GetArrayLength());
    }

    private sealed record Case(string Name, string Path, byte[] Body, string? ContentType, string? Key = StandaloneFactory.IngestKey);

    private static IEnumerable<Case> Cases()
    {
        foreach (var path in IngestPaths)
        {
            foreach (var (name, body) in EventBodies(path == "/v1/events"))
            {
                yield return new Case(name, path, Encoding.UTF8.GetBytes(body), "application/json");
            }

            foreach (var c in ProtocolCases(path))
            {
                yield return c;
            }
        }

        // The batch endpoint: malformed envelopes, and batches in which every event is malformed.
        foreach (var (name, body) in EventBodies(native: true))
        {
            yield return new Case("batch of " + name, "/v1/events/batch", Encoding.UTF8.GetBytes("{\"events\":[" + body + "," + body + "]}"), "application/json");
        }

        foreach (var (name, body) in BatchEnvelopes())
        {
            yield return new Case(name, "/v1/events/batch", Encoding.UTF8.GetBytes(body), "application/json");
        }

        foreach (var c in ProtocolCases("/v1/events/batch"))
        {
            yield return c;
        }
    }

    /// <summary>Event bodies that both dialects refuse, plus strict-only ones for the native API.</summary>
    private static IEnumerable<(string Name, string Body)> EventBodies(bool native)
    {
        string[] wrongValues = ["1", "-0.5", "true", "false", "[]", "[\"a\"]", "{}", "{\"a\":1}"];
        foreach (var value in wrongValues)
        {
            yield return ($"name {value}", $$"""{"name":{{value}}}""");
            yield return ($"type {value}", $$"""{"name":"x","type":{{value}}}""");
            yield return ($"actions {value}", $$"""{"name":"x","actions":{{(value.StartsWith('[') ? "[" + value + "]" : value)}}}""");
            yield return ($"contextId {value}", $$"""{"name":"x","contextId":{{(value is "1" or "-0.5" ? "[" + value + "]" : value)}}}""");
            yield return ($"userId {value}", $$"""{"name":"x","userId":{{(value is "1" or "-0.5" ? "{\"id\":" + value + "}" : value)}}}""");
            yield return ($"category {value}", $$"""{"name":"x","category":{{value}}}""");
            if (native)
            {
                yield return ($"avatar {value}", $$"""{"name":"x","avatar":{{value}}}""");
                yield return ($"notify {value}", $$"""{"name":"x","notify":{{(value is "true" or "false" ? "\"yes\"" : value)}}}""");
                yield return ($"test {value}", $$"""{"name":"x","test":{{(value is "true" or "false" ? "1" : value)}}}""");
                yield return ($"level {value}", $$"""{"name":"x","level":{{value}}}""");
                yield return ($"tags {value}", $$"""{"name":"x","tags":{{(value.StartsWith('{') ? "{\"k\":{\"n\":1}}" : value)}}}""");
                yield return ($"timestamp {value}", $$"""{"name":"x","timestamp":{{value}}}""");
                yield return ($"id {value}", $$"""{"name":"x","id":{{value}}}""");
            }
        }

        yield return ("missing name", """{"category":"x"}""");
        yield return ("empty object", "{}");
        yield return ("blank name", """{"name":"   "}""");
        yield return ("control characters", """{"name":"a\u0000b"}""");
        yield return ("unknown type", """{"name":"x","type":"map"}""");
        yield return ("rows in rows", """{"name":"x","type":"rows","content":[{"type":"rows","content":[]}]}""");
        yield return ("rows not array", """{"name":"x","type":"rows","content":"a"}""");
        yield return ("image not url", """{"name":"x","type":"image","content":"javascript:alert(1)"}""");
        yield return ("action without url", """{"name":"x","actions":[{"key":"a","buttonText":"b"}]}""");
        yield return ("action bad url", """{"name":"x","actions":[{"key":"a","buttonText":"b","url":"ftp://x"}]}""");
        yield return ("too many actions", """{"name":"x","actions":[""" + string.Join(',', Enumerable.Repeat("""{"key":"a","buttonText":"b","url":"https://a.example"}""", 11)) + "]}");
        yield return ("content over 32 KiB", $$"""{"name":"x","content":"{{new string('c', 33_000)}}"}""");
        yield return ("name of 10k chars", "{\"name\":\"" + new string('n', 10_000) + "\",\"category\":{\"x\":1}}");
        yield return ("body array", "[{\"name\":\"x\"}]");
        yield return ("body string", "\"x\"");
        yield return ("body number", "42");
        yield return ("body null", "null");
        if (native)
        {
            yield return ("unknown field", """{"name":"x","nmae":"y"}""");
            yield return ("duplicate field", """{"name":"x","name":"y"}""");
            yield return ("two emoji", """{"name":"x","avatar":"🎉🎉"}""");
            yield return ("future timestamp", """{"name":"x","timestamp":"2999-01-01T00:00:00Z"}""");
            yield return ("ancient timestamp", """{"name":"x","timestamp":"1970-01-01T00:00:00Z"}""");
            yield return ("33 tags", "{\"name\":\"x\",\"tags\":{" + string.Join(',', Enumerable.Range(0, 33).Select(i => $"\"k{i}\":{i}")) + "}}");
            yield return ("long name", $$"""{"name":"{{new string('n', 257)}}"}""");
            yield return ("text with object", """{"name":"x","type":"text","content":{"a":1}}""");
        }
    }

    private static IEnumerable<(string Name, string Body)> BatchEnvelopes()
    {
        yield return ("no events", "{}");
        yield return ("events empty", """{"events":[]}""");
        yield return ("events object", """{"events":{"name":"x"}}""");
        yield return ("events string", """{"events":"x"}""");
        yield return ("events null", """{"events":null}""");
        yield return ("bare array", """[{"name":"x"}]""");
        yield return ("extra field", """{"events":[{"name":"x"}],"more":true}""");
        yield return ("1001 events", "{\"events\":[" + string.Join(',', Enumerable.Repeat("{\"name\":\"x\"}", 1001)) + "]}");
        yield return ("events of numbers", """{"events":[1,2,3]}""");
        yield return ("events of nulls", """{"events":[null]}""");
    }

    /// <summary>What is wrong before any field is looked at: syntax, encoding, media type, size, credentials.</summary>
    private static IEnumerable<Case> ProtocolCases(string path)
    {
        var json = "application/json";
        var valid = Encoding.UTF8.GetBytes(path.EndsWith("/batch", StringComparison.Ordinal) ? """{"events":[{"name":"x"}]}""" : """{"name":"x"}""");
        string[] syntax =
        [
            "", " ", "{", "}", "{\"name\":", "{\"name\":\"x\"", "{\"name\":\"x\",}", "{name:\"x\"}", "{'name':'x'}",
            "{\"name\":\"x\"} trailing", "{\"name\":\"x\"}{\"name\":\"y\"}", "{\"name\":NaN}", "{\"name\":Infinity}",
            "{\"name\":\"x\" /* comment */}", "{\"name\":\"\\u12\"}", "{\"name\":\"\\x41\"}", "{\"name\":\"tab\there\"}",
            "{\"name\":1e99999}", "{\"name\":\"\\ud800\"}", "{\"name\":\"x\",\"category\":\"\\udfff\\ud800\"}", "nul", "tru", "<xml/>", "name=x", "\u00ef\u00bb\u00bf",
        ];
        foreach (var body in syntax)
        {
            yield return new Case($"syntax {body}", path, Encoding.UTF8.GetBytes(body), json);
        }

        var deep = new string('[', 200) + new string(']', 200);
        yield return new Case("deep nesting 200", path, Encoding.UTF8.GetBytes($$"""{"name":"x","type":"json","content":{{deep}}}"""), json);
        yield return new Case("deep objects 40", path, Encoding.UTF8.GetBytes("{\"name\":\"x\",\"content\":" + string.Concat(Enumerable.Repeat("{\"a\":", 40)) + "1" + new string('}', 40) + "}"), json);

        byte[][] invalidUtf8 = [[0xC3, 0x28], [0xA0, 0xA1], [0xE2, 0x28, 0xA1], [0xF0, 0x28, 0x8C, 0xBC], [0xF8, 0xA1, 0xA1, 0xA1, 0xA1], [0xED, 0xA0, 0x80], [0xC0, 0xAF]];
        foreach (var bad in invalidUtf8)
        {
            var body = Encoding.UTF8.GetBytes("{\"name\":\"").Concat(bad).Concat(Encoding.UTF8.GetBytes("\"}")).ToArray();
            yield return new Case($"invalid utf-8 {Convert.ToHexString(bad)}", path, body, json);
        }

        string?[] contentTypes = [null, "application/xml", "text/html", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "application/octet-stream", "image/png", "json", "application"];
        foreach (var type in contentTypes)
        {
            yield return new Case($"content type {type ?? "none"}", path, valid, type);
        }

        var limit = path.EndsWith("/batch", StringComparison.Ordinal) ? 4 * 1024 * 1024 : 64 * 1024;
        yield return new Case("oversize body", path, Encoding.UTF8.GetBytes($$"""{"name":"x","content":"{{new string('o', limit)}}"}"""), json);
        yield return new Case("oversize whitespace", path, Encoding.UTF8.GetBytes(new string(' ', limit + 1) + "{}"), json);

        string?[] badKeys =
        [
            null, "", "not-a-real-key-0123456789abcdef", "op_ingest_" + new string('x', 32), new string('k', 300), "op_admin_ünïcødé-key-000000000000000",
        ];
        foreach (var key in badKeys)
        {
            yield return new Case($"key '{key?[..Math.Min(key.Length, 16)]}'", path, valid, json, key);
        }
    }
}
