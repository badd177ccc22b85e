using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Operational.Rules.Checks;
using Operational.TestSupport;

namespace Operational.ApiTests;

/// <summary>A resolved alert edits the Telegram message that announced it, on a fake clock against a Bot API stub.</summary>
public sealed class AlertUpdateInPlaceApiTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2027, 1, 4, 9, 0, 0, TimeSpan.Zero));
    private RecordingReceiver _telegram = null!;
    private StandaloneFactory _factory = null!;
    private OperationalClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        var next = 4200;
        _telegram = await RecordingReceiver.StartAsync(reply: request =>
            request.Path.EndsWith("/sendMessage", StringComparison.Ordinal) ? $$"""{"ok":true,"result":{"message_id":{{Interlocked.Increment(ref next)}},"chat":{"id":-1001234} } }"""
            : request.Path.StartsWith("/discord/", StringComparison.Ordinal) ? """{"id":"990001","channel_id":"42"}"""
            : """{"ok":true,"result":true}""");
        _factory = new StandaloneFactory
        {
            Clock = _time,
            Settings = new Dictionary<string, string>
            {
                ["Notifications:Outbound:AllowedHosts:0"] = "127.0.0.1",
                ["Notifications:Delivery:PollInterval"] = "00:00:00.1",
                ["Notifications:TelegramApi"] = _telegram.Address.ToString().TrimEnd('/') + "/telegram",
            },
        };
        _client = _factory.CreateOperationalClient();
    }

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _telegram.DisposeAsync();
    }

    [Fact]
    public async Task A_resolved_alert_edits_the_telegram_message_it_was_announced_in()
    {
        using var channel = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/channels",
            """{"name":"on call","kind":"telegram","telegram":{"botToken":"123456:ABC-DEF_ghi","chatId":"-1001234"} }""");
        Assert.Equal(HttpStatusCode.Created, channel.StatusCode);
        var channelId = JsonDocument.Parse(await channel.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        using var created = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/rules", $$"""
            {"name":"backups","kind":"heartbeat","match":{"name":{"equals":"backup done"} },"heartbeat":{"periodSeconds":60,"graceSeconds":0},"channels":["{{channelId}}"]}
            """);
        var ruleId = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;

        _time.Advance(TimeSpan.FromSeconds(61));
        await CheckAsync(ruleId);
        var sent = await _telegram.WaitForAsync(r => r.Path.EndsWith("/sendMessage", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        Assert.Contains("backups", Encoding.UTF8.GetString(sent.Body), StringComparison.Ordinal);

        // Taken by someone: the same message says so.
        var alertId = (await _client.GetJsonAsync(StandaloneFactory.AdminKey, "/v1/alerts?status=open")).GetProperty("alerts")[0].GetProperty("id").GetString();
        using (var ack = await _client.PostAsync(StandaloneFactory.AdminKey, $"/v1/alerts/{alertId}/acknowledge", ""))
        {
            Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        }

        var acknowledged = await _telegram.WaitForAsync(r => r.Path.EndsWith("/editMessageText", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        Assert.Contains("Acknowledged by", JsonDocument.Parse(acknowledged.Body).RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);

        await _client.IngestAsync(StandaloneFactory.IngestKey, """{"name":"backup done"}""");
        var edit = await _telegram.WaitForAsync(r => r.Path.EndsWith("/editMessageText", StringComparison.Ordinal)
            && Encoding.UTF8.GetString(r.Body).Contains("Resolved: backups", StringComparison.Ordinal), TimeSpan.FromSeconds(15));

        var body = JsonDocument.Parse(edit.Body).RootElement;
        Assert.Equal(4201, body.GetProperty("message_id").GetInt64());
        Assert.Equal("-1001234", body.GetProperty("chat_id").GetString());
        Assert.Contains("Resolved: backups", body.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Single(_telegram.Requests, r => r.Path.EndsWith("/sendMessage", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_resolved_alert_edits_the_discord_message_it_was_announced_in()
    {
        using var channel = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/channels",
            $$"""{"name":"discord","kind":"discord","discord":{"webhookUrl":"{{_telegram.Address.ToString().TrimEnd('/')}}/discord/123/abc"} }""");
        Assert.Equal(HttpStatusCode.Created, channel.StatusCode);
        var channelId = JsonDocument.Parse(await channel.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        using var created = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/rules", $$"""
            {"name":"exports","kind":"heartbeat","match":{"name":{"equals":"export done"} },"heartbeat":{"periodSeconds":60,"graceSeconds":0},"channels":["{{channelId}}"]}
            """);
        var ruleId = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;

        _time.Advance(TimeSpan.FromSeconds(61));
        await CheckAsync(ruleId);
        await _telegram.WaitForAsync(r => r.Path == "/discord/123/abc" && r.Method == "POST", TimeSpan.FromSeconds(15));
        await _client.IngestAsync(StandaloneFactory.IngestKey, """{"name":"export done"}""");

        var edit = await _telegram.WaitForAsync(r => r.Method == "PATCH", TimeSpan.FromSeconds(15));
        Assert.Equal("/discord/123/abc/messages/990001", edit.Path);
        Assert.Contains("Resolved: exports", JsonDocument.Parse(edit.Body).RootElement.GetProperty("embeds")[0].GetProperty("title").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_channels_template_words_its_messages()
    {
        using var channel = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/channels", """
            {"name":"terse","kind":"telegram","telegram":{"botToken":"123456:ABC-DEF_ghi","chatId":"-1009999"},
             "template":{"title":"[{{level}}] {{alert.ruleName}}","body":"{{alert.summary}} Ack: {{alert.acknowledgeUrl}}"} }
            """);
        Assert.Equal(HttpStatusCode.Created, channel.StatusCode);
        var channelId = JsonDocument.Parse(await channel.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        using var created = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/rules", $$"""
            {"name":"imports","kind":"heartbeat","match":{"name":{"equals":"import done"} },"heartbeat":{"periodSeconds":60,"graceSeconds":0},"channels":["{{channelId}}"]}
            """);
        var ruleId = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;

        _time.Advance(TimeSpan.FromSeconds(61));
        await CheckAsync(ruleId);

        var sent = await _telegram.WaitForAsync(r => Encoding.UTF8.GetString(r.Body).Contains("-1009999", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        var text = JsonDocument.Parse(sent.Body).RootElement.GetProperty("text").GetString()!;
        Assert.StartsWith("🚨 [error] imports\nNo matching event yet", text, StringComparison.Ordinal);
        Assert.Contains("Ack: /ack/", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Templates_are_checked_when_saved_and_previewed_on_a_sample()
    {
        using var invalid = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/channels",
            """{"name":"x","kind":"ntfy","ntfy":{"topic":"ops"},"template":{"body":"{{alert.summary}} {{secrets.token}}"} }""");
        var problem = await ProblemAssert.NamesFieldAsync(invalid, "template.body");
        Assert.Contains("{{secrets.token}}", problem.GetProperty("errors").GetProperty("template.body")[0].GetString(), StringComparison.Ordinal);

        using var preview = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/channels/template-preview",
            """{"template":{"title":"{{alert.ruleName}} ({{alert.group}})","body":"{{evidence.count}} in {{evidence.windowSeconds}} s"} }""");
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        var rendered = JsonDocument.Parse(await preview.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(("no leads (campaign-C)", "0 in 3600 s"), (rendered.GetProperty("title").GetString(), rendered.GetProperty("body").GetString()));
    }

    private async Task CheckAsync(string ruleId)
    {
        using var scope = _factory.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<RuleCheckJob>().RunAsync(ruleId, CancellationToken.None);
    }
}
