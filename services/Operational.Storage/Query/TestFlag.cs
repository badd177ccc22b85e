namespace Operational.Storage.Query;

/// <summary>The <c>test</c> query parameter of every read: absent or false for live events, true for test events.</summary>
internal static class TestFlag
{
    public const string Problem = "must be true or false; true shows the test events instead of the live ones";

    public static bool TryParse(string? value, out bool testOnly)
    {
        testOnly = false;
        return value is null || bool.TryParse(value, out testOnly);
    }
}
