using Operational.TestSupport;

namespace Operational.ApiTests;

/// <summary>
/// Each test gets a standalone host of its own, for tests that create projects, revoke keys or
/// change settings, which would disturb tests sharing a class fixture.
/// </summary>
public abstract class OwnStandaloneHostTests : IAsyncLifetime
{
    protected OwnStandaloneHostTests(TimeProvider? clock = null, IReadOnlyDictionary<string, string>? settings = null) =>
        Factory = new StandaloneFactory { Clock = clock, Settings = settings ?? new Dictionary<string, string>() };

    protected StandaloneFactory Factory { get; }

    protected OperationalClient Client { get; private set; } = null!;

    public ValueTask InitializeAsync()
    {
        Client = Factory.CreateOperationalClient();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => Factory.DisposeAsync();
}
