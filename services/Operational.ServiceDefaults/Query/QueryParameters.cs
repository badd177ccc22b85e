using System.Globalization;
using Operational.ServiceDefaults.Validation;

namespace Operational.ServiceDefaults.Query;

/// <summary>
/// The query parameters the list endpoints of every service share, parsed the same way and
/// refused with the same words. Each parser records a problem under the parameter's name.
/// </summary>
public static class QueryParameters
{
    public const string TestProblem = "must be true or false; true shows the test events instead of the live ones";

    /// <summary>The <c>test</c> parameter: absent or false for live data, true for test data.</summary>
    public static bool TryParseTest(string? value, out bool testOnly)
    {
        testOnly = false;
        return value is null || bool.TryParse(value, out testOnly);
    }

    public static bool Test(string? value, FieldErrors errors)
    {
        if (!TryParseTest(value, out var testOnly))
        {
            errors.Add("test", TestProblem);
        }

        return testOnly;
    }

    public static int Limit(string? value, int defaultLimit, int maxLimit, FieldErrors errors)
    {
        if (value is null)
        {
            return defaultLimit;
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit < 1 || limit > maxLimit)
        {
            errors.Add("limit", $"must be a whole number from 1 to {maxLimit}");
            return defaultLimit;
        }

        return limit;
    }

    public static DateTimeOffset? Time(string? value, string field, FieldErrors errors)
    {
        if (value is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time;
        }

        errors.Add(field, "must be an ISO 8601 date and time, e.g. 2026-11-22T08:00:00Z");
        return null;
    }

    /// <summary>Null for an absent or blank filter, else the value trimmed.</summary>
    public static string? Filter(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    public const string CursorProblem = "is not a cursor this API returned; pass the 'nextCursor' of a previous page unchanged";
}
