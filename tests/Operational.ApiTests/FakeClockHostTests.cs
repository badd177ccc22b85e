using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Operational.Rules.Checks;
using Operational.TestSupport;

namespace Operational.ApiTests;

/// <summary>
/// A standalone host of its own on a clock the test moves, delivering to receivers on this machine
/// at once: for alerts that depend on time (lateness, reminders, links that expire, groups that wait).
/// </summary>
public abstract class FakeClockHostTests(DateTimeOffset start, IReadOnlyDictionary<string, string>? settings = null) : OwnStandaloneHostTests(
    new FakeTimeProvider(start),
    new Dictionary<string, string>(settings ?? new Dictionary<string, string>())
    {
        ["Notifications:Outbound:AllowedHosts:0"] = "127.0.0.1",
        ["Notifications:Delivery:PollInterval"] = "00:00:00.1",
    })
{
    protected FakeTimeProvider Time => (FakeTimeProvider)Factory.Clock!;

    /// <summary>POSTs <paramref name="json"/> as the admin and returns the created resource's id.</summary>
    protected async Task<string> CreateAsync(string path, string json)
    {
        using var created = await Client.PostAsync(StandaloneFactory.AdminKey, path, json);
        var body = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>A webhook channel posting to <paramref name="receiver"/>'s <c>/hook</c>; its id.</summary>
    protected Task<string> WebhookAsync(RecordingReceiver receiver) =>
        CreateAsync("/v1/channels", $$"""{"name":"hook","kind":"webhook","webhook":{"url":"{{new Uri(receiver.Address, "/hook")}}"} }""");

    /// <summary>What Hangfire does at each occurrence of the rules' schedules, at the fake clock's time.</summary>
    protected async Task RunScheduledChecksAsync(params string[] ruleIds)
    {
        using var scope = Factory.Services.CreateScope();
        foreach (var ruleId in ruleIds)
        {
            await scope.ServiceProvider.GetRequiredService<RuleCheckJob>().RunAsync(ruleId, CancellationToken.None);
        }
    }
}
