using Operational.ServiceDefaults.Paging;

namespace Operational.Contexts.Tracking;

/// <summary>Where the next page of contexts starts: after (first event time, context id) in newest-first order.</summary>
public readonly record struct ContextCursor(long FirstEventMs, string ContextId)
{
    public string Encode() => TimeIdCursor.Encode(FirstEventMs, ContextId);

    public static bool TryDecode(string? value, out ContextCursor cursor)
    {
        cursor = default;
        if (!TimeIdCursor.TryDecode(value, out var ms, out var id))
        {
            return false;
        }

        cursor = new ContextCursor(ms, id);
        return true;
    }
}
