using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Operational.ServiceDefaults.Problems;

namespace Operational.ServiceDefaults.Requests;

/// <summary>
/// Reads a JSON request body within a size limit, before anything binds it, and turns every way it
/// can be wrong into a precise 4xx: wrong content type (415), too large (413), not UTF-8 or not
/// JSON (400 with line and position).
/// </summary>
public static class JsonRequestBody
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 32, AllowTrailingCommas = false };

    public sealed record Result(JsonDocument? Document, long Size, IResult? Error);

    public static async Task<Result> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return Fail(UnsupportedMediaType(request));
        }

        var raw = await ReadBytesAsync(request, maxBytes, cancellationToken);
        return raw.Error is not null ? Fail(raw.Error) : Parse(raw.Bytes);
    }

    public static IResult UnsupportedMediaType(HttpRequest request)
    {
        var given = string.IsNullOrEmpty(request.ContentType) ? "no Content-Type" : $"'{request.ContentType}'";
        return ApiProblems.Status(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type.",
            $"Send the body as JSON with 'Content-Type: application/json'; the request had {given}.");
    }

    /// <summary>The whole body, refused with 413 beyond <paramref name="maxBytes"/> (declared or actual).</summary>
    public static async Task<(ReadOnlyMemory<byte> Bytes, IResult? Error)> ReadBytesAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return (default, TooLarge(maxBytes));
        }

        var sizeLimit = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeLimit is { IsReadOnly: false })
        {
            sizeLimit.MaxRequestBodySize = maxBytes;
        }

        try
        {
            var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, cancellationToken);
            return buffer.Length > maxBytes
                ? (default, TooLarge(maxBytes))
                : (buffer.GetBuffer().AsMemory(0, (int)buffer.Length), null);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (default, TooLarge(maxBytes));
        }
        catch (Exception e) when (e is BadHttpRequestException or ConnectionResetException or IOException)
        {
            // The client stopped sending mid-body: nothing to process, and nobody to tell.
            return (default, ApiProblems.Status(StatusCodes.Status400BadRequest, "Incomplete body.", "The request body ended before its declared length."));
        }
    }

    public static Result Parse(ReadOnlyMemory<byte> bytes)
    {
        if (bytes.Length == 0)
        {
            return Fail(ApiProblems.Validation("body", "is empty; send a JSON object"));
        }

        // The parser checks UTF-8 only where it looks; strings are decoded later, so check all of it now.
        if (!System.Text.Unicode.Utf8.IsValid(bytes.Span))
        {
            return Fail(ApiProblems.Validation("body", "is not valid UTF-8"));
        }

        try
        {
            return new Result(JsonDocument.Parse(bytes, Options), bytes.Length, null);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})" : "";
            return Fail(ApiProblems.Validation("body", $"is not valid JSON{where}: {FirstSentence(e.Message)}"));
        }
    }

    private static IResult TooLarge(int maxBytes) =>
        ApiProblems.Status(StatusCodes.Status413PayloadTooLarge, "Request body too large.",
            $"The body must be at most {maxBytes} bytes.");

    private static Result Fail(IResult error) => new(null, 0, error);

    /// <summary>System.Text.Json appends its own path and position; we report those separately.</summary>
    internal static string FirstSentence(string message)
    {
        foreach (var marker in (string[])[" Path:", " LineNumber:"])
        {
            var cut = message.IndexOf(marker, StringComparison.Ordinal);
            if (cut > 0)
            {
                message = message[..cut];
            }
        }

        return message.TrimEnd();
    }
}
