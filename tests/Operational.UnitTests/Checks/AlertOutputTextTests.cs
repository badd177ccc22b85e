using Operational.Contracts.Alerts;
using Operational.Notifications.Deliveries;

namespace Operational.UnitTests.Checks;

public sealed class AlertOutputTextTests
{
    [Fact]
    public void A_messages_text_carries_the_end_of_the_runs_output()
    {
        var output = "started\n" + new string('.', 5000) + "\nERROR: disk full";

        var text = AlertNotificationsConsumer.Text(new AlertEvidence("'Backup' failed with exit status 1.", Output: output));

        Assert.StartsWith("'Backup' failed with exit status 1.\n\n…", text, StringComparison.Ordinal);
        Assert.EndsWith("ERROR: disk full", text, StringComparison.Ordinal);
        Assert.True(text.Length <= "'Backup' failed with exit status 1.\n\n…".Length + AlertNotificationsConsumer.MaxOutputInText);
        Assert.Equal("No output.", AlertNotificationsConsumer.Text(new AlertEvidence("No output.")));
    }
}
