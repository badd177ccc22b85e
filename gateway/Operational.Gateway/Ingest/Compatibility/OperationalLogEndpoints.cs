using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Operational.ServiceDefaults.Requests;
using Operational.Contracts.Events;
using Operational.Gateway.Ingest.Duplicates;
using Operational.ServiceDefaults.Identity;
using Operational.ServiceDefaults.Problems;

namespace Operational.Gateway.Ingest.Compatibility;

/// <summary>
/// Operational's Events API, so apps using its SDKs (Node, PHP, the WordPress plugin) switch by
/// changing only their base URL: <c>POST /api/v1/log</c> (JSON, or a text/plain line whose
/// leading emoji becomes the avatar) and its alias <c>POST /api/v1/ingest</c> (JSON). Success is
/// <c>201</c> with the body <c>success</c>, as Operational answers; errors are problem+json.
/// </summary>
public static class OperationalLogEndpoints
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static RouteGroupBuilder MapOperationalCompatibility(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1")
            .RequireAuthorization(Policies.Ingest)
            .WithTags("Operational compatibility");

        group.MapPost("/log", Log)
            .WithName("OperationalLog")
            .Produces<string>(StatusCodes.Status201Created, "text/plain")
            .ProducesIngestProblems();

        group.MapPost("/ingest", Ingest)
            .WithName("OperationalIngest")
            .Produces<string>(StatusCodes.Status201Created, "text/plain")
            .ProducesIngestProblems();
        return group;
    }

    private static async Task<IResult> Log(HttpContext http, IngestPublisher publisher, AcceptedIds acceptedIds, IOptions<IngestOptions> options, TimeProvider clock)
    {
        if (!IsPlainText(http.Request))
        {
            return await Ingest(http, publisher, acceptedIds, options, clock);
        }

        var raw = await JsonRequestBody.ReadBytesAsync(http.Request, options.Value.MaxEventBodyBytes, http.RequestAborted);
        if (raw.Error is not null)
        {
            return raw.Error;
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(raw.Bytes.Span).Trim();
        }
        catch (DecoderFallbackException)
        {
            return ApiProblems.Validation("body", "is not valid UTF-8 text");
        }

        var (avatar, name) = SplitLeadingEmoji(text);
        var body = JsonRequestBody.Parse(JsonSerializer.SerializeToUtf8Bytes(new PlainTextEvent(name, avatar), PlainTextJson.Options));
        return await IngestEndpoints.AcceptOneAsync(http, body, OperationalEvents.Validate, publisher, acceptedIds, options.Value, clock, Created);
    }

    private static async Task<IResult> Ingest(HttpContext http, IngestPublisher publisher, AcceptedIds acceptedIds, IOptions<IngestOptions> options, TimeProvider clock)
    {
        var body = await JsonRequestBody.ReadAsync(http.Request, options.Value.MaxEventBodyBytes, http.RequestAborted);
        return body.Error ?? await IngestEndpoints.AcceptOneAsync(http, body, OperationalEvents.Validate, publisher, acceptedIds, options.Value, clock, Created);
    }

    /// <summary>Operational has no notion of a duplicate; a resent event gets the same answer.</summary>
    private static IResult Created(IngestedEvent e, bool duplicate) =>
        new WithLocation(TypedResults.Text("success", "text/plain", Encoding.UTF8, StatusCodes.Status201Created), $"/v1/events/{e.Id}");

    private static bool IsPlainText(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var type) &&
        type.MediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase);

    /// <summary>"🔥 deploy finished" → ("🔥", "deploy finished"); text without a leading emoji is all name.</summary>
    internal static (string? Avatar, string Name) SplitLeadingEmoji(string text)
    {
        if (text.Length == 0)
        {
            return (null, text);
        }

        var first = StringInfo.GetNextTextElement(text);
        return IsEmoji(first) ? (first, text[first.Length..].Trim()) : (null, text);
    }

    private static bool IsEmoji(string element)
    {
        var rune = Rune.GetRuneAt(element, 0);
        return rune.Value is >= 0x1F000 and <= 0x1FAFF // pictographs, emoticons, transport, flags, supplemental symbols
            or >= 0x2600 and <= 0x27BF                 // miscellaneous symbols, dingbats
            or >= 0x2300 and <= 0x23FF                 // technical (⌛ ⏰)
            or >= 0x2B00 and <= 0x2BFF                 // arrows, stars (⭐)
            || element.Contains('\uFE0F');            // anything presented as emoji
    }

    private sealed record PlainTextEvent(string Name, string? Avatar);

    private static class PlainTextJson
    {
        public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        };
    }

    /// <summary>Adds the new event's address, so a client that wants its id can follow it.</summary>
    private sealed class WithLocation(IResult inner, string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
