using System.Text.Json;
using Operational.Contracts.Events;
using Operational.Gateway.Ingest.Validation;
using Operational.ServiceDefaults.Validation;

namespace Operational.Gateway.Ingest.Compatibility;

/// <summary>A compatible API's body rewritten into the native format, recording what changed as warnings.</summary>
internal delegate JsonElement? NativeRewrite(JsonElement body, FieldErrors errors, List<EventWarning> warnings);

/// <summary>
/// The one way a compatible API's event is checked: rewritten into the native format (its warnings
/// kept with the event), then validated by the native rules, so every API shares one set of rules and limits.
/// </summary>
internal static class CompatibleBodies
{
    public static EventDraft? Validate(JsonElement body, DateTimeOffset now, FieldErrors errors, NativeRewrite rewrite)
    {
        var warnings = new List<EventWarning>();
        return EventFields.Reading(errors, () => rewrite(body, errors, warnings) is { } native ? EventValidator.Validate(native, now, errors, warnings) : null);
    }
}
