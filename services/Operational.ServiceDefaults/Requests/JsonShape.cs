using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Operational.ServiceDefaults.Validation;

namespace Operational.ServiceDefaults.Requests;

/// <summary>
/// Checks a JSON document against the shape of the type it will become, before binding: every
/// field it has must be one the type has, at every depth. A typo such as <c>"chanels"</c> must
/// not be dropped silently (a rule that notifies nobody); it is answered with the field's path and
/// the fields there are. Types come from the serializer's own metadata, so the check and the
/// binding never disagree.
/// </summary>
public static class JsonShape
{
    public static void Check(JsonElement element, Type type, JsonSerializerOptions options, FieldErrors errors) =>
        Check(element, options.GetTypeInfo(type), "", options, errors);

    /// <summary>The field a System.Text.Json path such as <c>$.volume.min</c> or <c>$.to[2]</c> names: <c>volume.min</c>, <c>to[2]</c>.</summary>
    public static string Field(string? jsonPath) =>
        string.IsNullOrEmpty(jsonPath) || jsonPath == "$" ? "body" : jsonPath.TrimStart('$').TrimStart('.');

    /// <summary>What the value at <paramref name="jsonPath"/> must be, in words, e.g. "a whole number".</summary>
    public static string Expected(Type root, string? jsonPath, JsonSerializerOptions options)
    {
        var info = options.GetTypeInfo(root);
        foreach (var segment in Segments(Field(jsonPath)))
        {
            if (segment.StartsWith('[') && info.ElementType is { } element)
            {
                info = options.GetTypeInfo(element);
            }
            else if (info.Kind == JsonTypeInfoKind.Object && Find(info, segment, options) is { } property)
            {
                info = options.GetTypeInfo(property.PropertyType);
            }
            else if (info.Kind == JsonTypeInfoKind.Dictionary && info.ElementType is { } value)
            {
                info = options.GetTypeInfo(value);
            }
        }

        return Describe(info.Type);
    }

    private static void Check(JsonElement element, JsonTypeInfo info, string path, JsonSerializerOptions options, FieldErrors errors)
    {
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object when element.ValueKind == JsonValueKind.Object:
                foreach (var field in element.EnumerateObject())
                {
                    var at = path.Length == 0 ? field.Name : $"{path}.{field.Name}";
                    if (Find(info, field.Name, options) is { } property)
                    {
                        Check(field.Value, options.GetTypeInfo(property.PropertyType), at, options, errors);
                    }
                    else
                    {
                        var names = string.Join(", ", info.Properties.Where(p => p.Set is not null || p.AssociatedParameter is not null).Select(p => p.Name));
                        errors.Add(at, $"is not a field {(path.Length == 0 ? "of this request" : "of " + path)}; the fields are {names}");
                    }
                }

                break;
            case JsonTypeInfoKind.Object when path.Length == 0 && element.ValueKind != JsonValueKind.Object:
                errors.Add("body", "must be a JSON object");
                break;
            case JsonTypeInfoKind.Enumerable when element.ValueKind == JsonValueKind.Array && info.ElementType is { } item:
                var index = 0;
                var itemInfo = options.GetTypeInfo(item);
                foreach (var value in element.EnumerateArray())
                {
                    Check(value, itemInfo, $"{path}[{index++}]", options, errors);
                }

                break;
            case JsonTypeInfoKind.Dictionary when element.ValueKind == JsonValueKind.Object && info.ElementType is { } valueType:
                var valueInfo = options.GetTypeInfo(valueType);
                foreach (var entry in element.EnumerateObject())
                {
                    Check(entry.Value, valueInfo, $"{path}.{entry.Name}", options, errors);
                }

                break;
        }
    }

    private static JsonPropertyInfo? Find(JsonTypeInfo info, string name, JsonSerializerOptions options)
    {
        var comparison = options.PropertyNameCaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return info.Properties.FirstOrDefault(p => string.Equals(p.Name, name, comparison));
    }

    private static IEnumerable<string> Segments(string field)
    {
        var current = new StringBuilder();
        foreach (var c in field)
        {
            if (c is '.' or '[')
            {
                if (current.Length > 0)
                {
                    yield return current.ToString();
                }

                current.Clear();
                if (c == '[')
                {
                    current.Append(c);
                }
            }
            else
            {
                current.Append(c);
            }
        }

        if (current.Length > 0)
        {
            yield return current.ToString();
        }
    }

    private static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            _ when type == typeof(string) => "a string",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(int) || type == typeof(long) || type == typeof(short) => "a whole number",
            _ when type == typeof(double) || type == typeof(decimal) || type == typeof(float) => "a number",
            _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => "a date and time such as \"2026-11-30T08:00:00Z\"",
            _ when type == typeof(TimeSpan) => "a duration such as \"00:05:00\"",
            _ when type.IsEnum => $"one of {string.Join(", ", Enum.GetNames(type).Select(JsonNamingPolicy.CamelCase.ConvertName))}",
            _ when type.IsArray || (type.IsGenericType && type.GetInterfaces().Append(type).Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))
                && !type.GetInterfaces().Append(type).Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>))) => "an array",
            _ => "an object",
        };
    }
}
