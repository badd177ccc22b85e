using System.Text.Json;
using Operational.Contracts.Api;
using Operational.Notifications.Channels;
using Operational.Notifications.Deliveries;
using Operational.ServiceDefaults.Validation;

namespace Operational.UnitTests.Notifications;

public sealed class MessageTemplateTests
{
    private static readonly NotificationMessage Alert = new("alert.triggered", "no leads (C)", "0 events", "error", "/alerts/a1",
        JsonSerializer.SerializeToElement(new
        {
            alertId = "a1", ruleName = "no leads", group = "C",
            evidence = new { summary = "0 matching events in the last 60 s", count = 0, output = (string?)null },
            acknowledgeUrl = "https://ops.example.com/ack/a1/1/x",
        }, JsonSerializerOptions.Web));

    [Fact]
    public void Placeholders_take_the_message_and_its_alert_and_a_missing_value_is_empty()
    {
        var worded = MessageTemplate.Apply(new MessageTemplateSettings("[{{level}}] {{alert.ruleName}} / {{ alert.group }}",
            "{{alert.summary}} ({{evidence.count}} events){{evidence.output}} → {{alert.acknowledgeUrl}} {{event.name}}"), Alert);

        Assert.Equal("[error] no leads / C", worded.Title);
        Assert.Equal("0 matching events in the last 60 s (0 events) → https://ops.example.com/ack/a1/1/x ", worded.Body);
    }

    [Fact]
    public void Without_a_template_or_a_part_the_message_keeps_its_own_wording()
    {
        Assert.Same(Alert, MessageTemplate.Apply(null, Alert));
        Assert.Equal(("custom", "0 events"), (MessageTemplate.Apply(new MessageTemplateSettings("custom", null), Alert) is var m ? (m.Title, m.Body) : default));
    }

    [Fact]
    public void Event_names_read_an_events_message()
    {
        var message = new NotificationMessage("event", "signup", "text", "info", "/events/e1", null,
            JsonSerializer.SerializeToElement(new { name = "user signed up", category = "signups", tags = new { plan = "pro" } }, JsonSerializerOptions.Web));

        Assert.Equal("user signed up in signups (pro)", MessageTemplate.Render("{{event.name}} in {{event.category}} ({{event.tags.plan}})", message));
    }

    [Theory]
    [InlineData("{{alert.sumary}", "not a placeholder")]
    [InlineData("{{channel.secret}}", "is not known")]
    [InlineData("{{#if level}}x{{/if}}", "not a placeholder")]
    [InlineData("{{alert.}}", "not a placeholder")]
    public void Invalid_templates_are_named_with_what_is_wrong(string template, string problem)
    {
        var errors = new FieldErrors();

        MessageTemplate.Validate(template, "template.body", errors);

        Assert.Contains(problem, Assert.Single(errors.ToDictionary()["template.body"]), StringComparison.Ordinal);
    }

    [Fact]
    public void A_valid_template_has_no_errors()
    {
        var errors = new FieldErrors();

        MessageTemplate.Validate("{{title}}: {{alert.summary}} {{evidence.windowSeconds}} {{event.userId}}", "template.body", errors);

        Assert.True(errors.IsEmpty, errors.ToString());
    }
}
