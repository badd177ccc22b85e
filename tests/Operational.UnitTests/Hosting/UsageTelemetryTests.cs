using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Operational.ServiceDefaults.Bus;

namespace Operational.UnitTests.Hosting;

/// <summary>Self-hosted means private: the one bus registration keeps MassTransit from reporting usage to its vendor.</summary>
public sealed class UsageTelemetryTests
{
    [Theory]
    [InlineData("InMemory")]
    [InlineData("RabbitMq")]
    public void The_bus_registration_switches_MassTransit_usage_telemetry_off(string transport)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["Bus:Transport"] = transport;
        builder.AddOperationalBus(_ => { });
        using var host = builder.Build();

        Assert.False(host.Services.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value.Enabled);
    }
}
