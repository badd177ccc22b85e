using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Operational.Rules.Checks;
using Operational.TestSupport;

namespace Operational.ApiTests;

/// <summary>
/// Hangfire's dashboard holds every project's rule checks: only the installation's administrators
/// reach it, and a check removed or changed in it comes back by itself.
/// </summary>
public sealed class RuleChecksAccessTests() : OwnStandaloneHostTests(settings: new Dictionary<string, string> { ["Rules:ScheduleSyncInterval"] = "00:00:01" })
{
    private RuleSchedules Schedules => Factory.Services.GetRequiredService<RuleSchedules>();

    [Fact]
    public async Task Another_projects_admin_key_cannot_see_or_remove_the_checks()
    {
        var ruleId = await CreateHeartbeatRuleAsync();
        var otherAdmin = await CreateProjectAdminKeyAsync("Project B");

        using var look = await Client.GetAsync(otherAdmin, "/hangfire/recurring");
        var problem = await ProblemAssert.IsProblemAsync(look, HttpStatusCode.Forbidden);
        Assert.Contains("administer the installation", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var remove = await RemoveThroughDashboardAsync(otherAdmin, ruleId);
        await ProblemAssert.IsProblemAsync(remove, HttpStatusCode.Forbidden);
        Assert.NotNull(Schedules.Job(ruleId));

        using var installationAdmin = await Client.GetAsync(StandaloneFactory.AdminKey, "/hangfire/recurring");
        Assert.Equal(HttpStatusCode.OK, installationAdmin.StatusCode);
    }

    [Fact]
    public async Task A_check_removed_through_the_dashboard_comes_back_by_itself()
    {
        var ruleId = await CreateHeartbeatRuleAsync();
        var cron = Schedules.Job(ruleId)!.Cron;

        using var removed = await RemoveThroughDashboardAsync(StandaloneFactory.AdminKey, ruleId);
        Assert.True(removed.IsSuccessStatusCode, $"the dashboard answered {(int)removed.StatusCode}");
        Assert.Null(Schedules.Job(ruleId));

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (Schedules.Job(ruleId) is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the removed check did not come back");
            await Task.Delay(100);
        }

        Assert.Equal(cron, Schedules.Job(ruleId)!.Cron);
    }

    private async Task<string> CreateHeartbeatRuleAsync()
    {
        using var created = await Client.PostAsync(StandaloneFactory.AdminKey, "/v1/rules",
            """{"name":"backup ran","kind":"heartbeat","match":{"name":{"equals":"backup finished"}},"heartbeat":{"periodSeconds":86400,"graceSeconds":600}}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var ruleId = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        Assert.NotNull(Schedules.Job(ruleId));
        return ruleId;
    }

    private async Task<string> CreateProjectAdminKeyAsync(string name)
    {
        using var response = await Client.PostAsync(StandaloneFactory.AdminKey, "/v1/projects", JsonSerializer.Serialize(new { name }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("adminKey").GetProperty("key").GetString()!;
    }

    /// <summary>What the dashboard's "Delete" button on a recurring job posts.</summary>
    private Task<HttpResponseMessage> RemoveThroughDashboardAsync(string key, string ruleId) =>
        Client.PostAsync(key, "/hangfire/recurring/remove", System.Text.Encoding.UTF8.GetBytes("jobs[]=" + Uri.EscapeDataString(RuleSchedules.JobId(ruleId))),
            "application/x-www-form-urlencoded");
}
