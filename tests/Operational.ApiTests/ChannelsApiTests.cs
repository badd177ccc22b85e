using System.Net;
using System.Text.Json;
using Operational.TestSupport;

namespace Operational.ApiTests;

public sealed class ChannelsApiTests(StandaloneFactory factory) : IClassFixture<StandaloneFactory>
{
    private readonly OperationalClient _client = factory.CreateOperationalClient();

    [Theory]
    [InlineData("/v1/channels", """{"name":"ops","kind":"ntfy","ntfy":{"topic":"ops","tokn":"x"}}""", "ntfy.tokn")]
    [InlineData("/v1/channels", """{"name":"ops","kind":"ntfy","ntfy":{"topic":"ops"},"recieve":["events"]}""", "recieve")]
    [InlineData("/v1/silences", """{"group":"A","endsAt":"2999-01-01T00:00:00Z","comment":"x","reason":"y"}""", "reason")]
    [InlineData("/v1/push/subscriptions", """{"endpoint":"https://push.example/x","keys":{"p256dh":"a","auth":"b","extra":1}}""", "keys.extra")]
    public async Task Unknown_fields_are_refused_naming_them(string path, string body, string field)
    {
        using var response = await _client.PostAsync(StandaloneFactory.AdminKey, path, body);

        var problem = await ProblemAssert.NamesFieldAsync(response, field);
        Assert.StartsWith("is not a field of", problem.GetProperty("errors").GetProperty(field)[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_channel_gets_a_secret_shown_once_and_kept_when_changed()
    {
        using var created = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/channels",
            """{"name":"ops hook","kind":"webhook","webhook":{"url":"https://example.com/operational"}}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var channel = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.Clone();
        var id = channel.GetProperty("id").GetString()!;
        Assert.StartsWith("whsec_", channel.GetProperty("secret").GetString(), StringComparison.Ordinal);
        Assert.False(channel.GetProperty("webhook").TryGetProperty("secret", out _));

        var read = await _client.GetJsonAsync(StandaloneFactory.AdminKey, $"/v1/channels/{id}");
        Assert.False(read.TryGetProperty("secret", out _));
        Assert.Equal(["webhook.secret"], read.GetProperty("secretsSet").EnumerateArray().Select(s => s.GetString()));
        Assert.DoesNotContain("whsec_", read.GetRawText(), StringComparison.Ordinal);

        using var changed = await _client.PutAsync(StandaloneFactory.AdminKey, $"/v1/channels/{id}",
            """{"name":"ops hook v2","kind":"webhook","webhook":{"url":"https://example.com/v2"}}""");
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var after = JsonDocument.Parse(await changed.Content.ReadAsStringAsync()).RootElement;
        Assert.False(after.TryGetProperty("secret", out _)); // kept, not made again
        Assert.Equal(["webhook.secret"], after.GetProperty("secretsSet").EnumerateArray().Select(s => s.GetString()));
    }

    [Theory]
    [InlineData("""{"name":"x","kind":"pager"}""", "kind")]
    [InlineData("""{"kind":"ntfy","ntfy":{"topic":"a"}}""", "name")]
    [InlineData("""{"name":"x","kind":"webhook","webhook":{"url":"http://127.0.0.1:8080/hook"}}""", "webhook.url")]
    [InlineData("""{"name":"x","kind":"webhook","webhook":{"url":"http://169.254.169.254/latest"}}""", "webhook.url")]
    [InlineData("""{"name":"x","kind":"webhook","webhook":{"url":"https://example.com","secret":"hunter2"}}""", "webhook.secret")]
    [InlineData("""{"name":"x","kind":"slack","slack":{"webhookUrl":"http://hooks.slack.com/services/x"}}""", "slack.webhookUrl")]
    [InlineData("""{"name":"x","kind":"email","email":{"host":"smtp.example.com","from":"ops@example.com","to":["not an address"]}}""", "email.to")]
    [InlineData("""{"name":"x","kind":"telegram","telegram":{"botToken":"nope","chatId":"42"}}""", "telegram.botToken")]
    [InlineData("""{"name":"x","kind":"ntfy","ntfy":{"topic":"has spaces"}}""", "ntfy.topic")]
    [InlineData("""{"name":"x","kind":"ntfy","ntfy":{"topic":"a"},"receive":["everything"]}""", "receive")]
    [InlineData("""{"name":"x","kind":"ntfy","ntfy":{"topic":"a"},"slack":{"webhookUrl":"https://hooks.slack.com/x"}}""", "slack")]
    public async Task Invalid_channel_is_a_400_naming_the_field(string body, string field)
    {
        using var response = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/channels", body);

        await ProblemAssert.NamesFieldAsync(response, field);
    }

    [Fact]
    public async Task Channels_need_admin_to_change_and_read_to_see()
    {
        using var ingest = await _client.PostAsync(StandaloneFactory.IngestKey, "/v1/channels", """{"name":"x","kind":"ntfy","ntfy":{"topic":"a"}}""");
        await ProblemAssert.IsProblemAsync(ingest, HttpStatusCode.Forbidden);

        using var missing = await _client.GetAsync(StandaloneFactory.AdminKey, "/v1/channels/ch_nope");
        await ProblemAssert.IsProblemAsync(missing, HttpStatusCode.NotFound, "ch_nope");
    }

    [Fact]
    public async Task Rule_naming_an_unknown_channel_is_a_400_and_a_known_one_is_accepted()
    {
        using var unknown = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/rules", """{"name":"x","kind":"match","channels":["ch_missing"]}""");
        await ProblemAssert.NamesFieldAsync(unknown, "channels");

        using var created = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/channels", """{"name":"phones","kind":"ntfy","ntfy":{"topic":"ops-alerts"}}""");
        var channelId = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        using var known = await _client.PostAsync(StandaloneFactory.AdminKey, "/v1/rules", $$"""{"name":"x","kind":"match","channels":["{{channelId}}"]}""");
        Assert.Equal(HttpStatusCode.Created, known.StatusCode);
    }
}
