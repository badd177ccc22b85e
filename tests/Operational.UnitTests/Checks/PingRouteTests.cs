using Operational.Contracts.Checks;
using Operational.Gateway.Pings;

namespace Operational.UnitTests.Checks;

/// <summary>The URL forms of Healthchecks' pinging API (https://healthchecks.io/docs/http_api/), the part after <c>/ping/</c>.</summary>
public sealed class PingRouteTests
{
    private const string Uuid = "5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278";

    [Theory]
    [InlineData(Uuid, PingSignals.Success, null)]
    [InlineData(Uuid + "/start", PingSignals.Start, null)]
    [InlineData(Uuid + "/fail", PingSignals.Fail, null)]
    [InlineData(Uuid + "/log", PingSignals.Log, null)]
    [InlineData(Uuid + "/0", PingSignals.Success, 0)]
    [InlineData(Uuid + "/1", PingSignals.Fail, 1)]
    [InlineData(Uuid + "/255", PingSignals.Fail, 255)]
    public void Uuid_urls(string rest, string signal, int? exitStatus)
    {
        var route = PingRoute.Parse(rest, out _);

        Assert.Equal(new PingRoute(Uuid, null, null, signal, exitStatus), route);
    }

    [Theory]
    [InlineData("fqOOd6-F4MMNuCEnzTU01w/database-backup", PingSignals.Success, null)]
    [InlineData("fqOOd6-F4MMNuCEnzTU01w/database-backup/start", PingSignals.Start, null)]
    [InlineData("fqOOd6-F4MMNuCEnzTU01w/database-backup/fail", PingSignals.Fail, null)]
    [InlineData("fqOOd6-F4MMNuCEnzTU01w/database-backup/log", PingSignals.Log, null)]
    [InlineData("fqOOd6-F4MMNuCEnzTU01w/database-backup/3", PingSignals.Fail, 3)]
    public void Slug_urls(string rest, string signal, int? exitStatus)
    {
        var route = PingRoute.Parse(rest, out _);

        Assert.Equal(new PingRoute(null, "fqOOd6-F4MMNuCEnzTU01w", "database-backup", signal, exitStatus), route);
    }

    [Fact]
    public void Upper_case_uuid_is_the_same_check()
    {
        Assert.Equal(Uuid, PingRoute.Parse(Uuid.ToUpperInvariant(), out _)!.PingId);
    }

    [Theory]
    [InlineData(Uuid + "/256", PingRoute.Error.InvalidUrl)]
    [InlineData(Uuid + "/99999", PingRoute.Error.InvalidUrl)]
    [InlineData(Uuid + "/-1", PingRoute.Error.NotFound)]
    [InlineData(Uuid + "/finish", PingRoute.Error.NotFound)]
    [InlineData(Uuid + "/start/extra", PingRoute.Error.NotFound)]
    [InlineData("key/slug/start/extra", PingRoute.Error.NotFound)]
    [InlineData("just-a-key", PingRoute.Error.NotFound)]
    [InlineData("", PingRoute.Error.NotFound)]
    [InlineData(Uuid + "//start", PingRoute.Error.NotFound)]
    public void Other_urls_are_refused_as_Healthchecks_refuses_them(string rest, PingRoute.Error expected)
    {
        Assert.Null(PingRoute.Parse(rest, out var error));
        Assert.Equal(expected, error);
    }
}
