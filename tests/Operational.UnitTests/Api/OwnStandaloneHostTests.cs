using Operational.TestSupport;

namespace Operational.UnitTests.Api;

/// <summary>
/// Each test gets a standalone host of its own, for tests that create projects, revoke keys or
/// change settings, which would disturb tests sharing a class fixture.
/// </summary>
public abstract class OwnStandaloneHostTests : IAsyncLifetime
{
    protected StandaloneFactory Factory { get; } = new();

    protected OperationalClient Client { get; private set; } = null!;

    public ValueTask InitializeAsync()
    {
        Client = Factory.CreateOperationalClient();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => Factory.DisposeAsync();
}
