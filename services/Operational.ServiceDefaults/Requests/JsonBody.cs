using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Operational.ServiceDefaults.Problems;
using Operational.ServiceDefaults.Validation;

namespace Operational.ServiceDefaults.Requests;

/// <summary>Says an endpoint takes a JSON body of <see cref="Type"/>; the OpenAPI document describes it from this.</summary>
public sealed record JsonBodyMetadata(Type Type);

/// <summary>How large a JSON body an endpoint takes (<see cref="JsonBody{T}"/>); <see cref="DefaultMaxBytes"/> without it.</summary>
public sealed record JsonBodyLimit(int MaxBytes)
{
    public const int DefaultMaxBytes = 64 * 1024;
}

public static class JsonBodyLimitExtensions
{
    /// <summary>Caps the endpoint's JSON body at <paramref name="maxBytes"/>: larger ones are refused with 413 before any of it is bound.</summary>
    public static TBuilder WithJsonBodyLimit<TBuilder>(this TBuilder builder, int maxBytes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new JsonBodyLimit(maxBytes));
}

/// <summary>
/// A JSON request body bound the one way every endpoint binds bodies: read within the endpoint's
/// <see cref="JsonBodyLimit"/> before anything is bound (413), <c>application/json</c> only (415),
/// valid UTF-8 and JSON (400 with the position), no field the type does not have (400 naming it and
/// the fields there are, see <see cref="JsonShape"/>), values of the right type (400 naming the
/// field). The endpoint's handler runs only with a body that passed; otherwise the problem is the
/// answer.
/// </summary>
public sealed class JsonBody<T> : IBindableFromHttpContext<JsonBody<T>>, IEndpointParameterMetadataProvider
    where T : class
{
    private readonly T? _value;

    private JsonBody(T? value, IResult? problem)
    {
        _value = value;
        Problem = problem;
    }

    /// <summary>The bound body; the endpoint filter this type adds answers every other case before the handler runs.</summary>
    public T Value => _value ?? throw new InvalidOperationException("The body did not bind; its problem is the answer.");

    internal IResult? Problem { get; }

    public static async ValueTask<JsonBody<T>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<JsonBodyLimit>()?.MaxBytes ?? JsonBodyLimit.DefaultMaxBytes;
        var read = await JsonRequestBody.ReadAsync(context.Request, limit, context.RequestAborted);
        if (read.Error is { } error)
        {
            return new JsonBody<T>(null, error);
        }

        using var document = read.Document!;
        var json = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var errors = new FieldErrors();
        JsonShape.Check(document.RootElement, typeof(T), json, errors);
        if (!errors.IsEmpty)
        {
            return new JsonBody<T>(null, ApiProblems.Validation(errors));
        }

        try
        {
            return document.RootElement.Deserialize<T>(json) is { } value
                ? new JsonBody<T>(value, null)
                : new JsonBody<T>(null, ApiProblems.Validation("body", "must be a JSON object"));
        }
        catch (JsonException e)
        {
            var field = JsonShape.Field(e.Path);
            return new JsonBody<T>(null, ApiProblems.Validation(field, $"must be {JsonShape.Expected(typeof(T), e.Path, json)}"));
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException)
        {
            // A string escape such as "\ud800" that decodes to no valid character.
            return new JsonBody<T>(null, ApiProblems.Validation("body", $"could not be read: {JsonRequestBody.FirstSentence(e.Message)}"));
        }
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder)
    {
        // Not AcceptsMetadata: routing would then refuse another content type before the endpoint,
        // and the dashboard's fallback would answer 404 instead of this body's precise 415.
        builder.Metadata.Add(new JsonBodyMetadata(typeof(T)));
        builder.FilterFactories.Add((_, next) => invocation =>
            invocation.Arguments.OfType<JsonBody<T>>().FirstOrDefault() is { Problem: { } problem }
                ? ValueTask.FromResult<object?>(problem)
                : next(invocation));
    }
}
