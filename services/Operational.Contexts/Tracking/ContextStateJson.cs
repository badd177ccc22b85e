using System.Text.Json;

namespace Operational.Contexts.Tracking;

/// <summary>How both stores keep a <see cref="ContextState"/>: one JSON document, next to the columns queries filter on.</summary>
internal static class ContextStateJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Write(ContextState state) => JsonSerializer.Serialize(state, Options);

    public static ContextState Read(string json) =>
        JsonSerializer.Deserialize<ContextState>(json, Options) ?? throw new InvalidDataException("A stored context state is empty.");
}
