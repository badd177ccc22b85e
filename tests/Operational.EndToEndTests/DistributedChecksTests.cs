using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Operational.TestSupport;

namespace Operational.EndToEndTests;

/// <summary>
/// Job checks across the processes: the gateway takes the pings, the rules process (over HTTP)
/// pairs them into runs, and the events cross RabbitMQ to storage, contexts and rules.
/// </summary>
public sealed class DistributedChecksTests(DistributedDeployment deployment) : IClassFixture<DistributedDeployment>
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);

    private OperationalClient Client => deployment.Client;

    /// <summary>A cron job's shell script pings its start, works a second, fails with exit status 3 and sends its output.</summary>
    private const string Script = """
        #!/bin/sh
        url="$1"
        curl -fsS -m 10 --retry 3 -o /dev/null "$url/start" || exit 100
        log=$(mktemp)
        sh -c 'echo "copying 3 files to backup-host"; sleep 1; echo "rsync: connection unexpectedly closed (0 bytes received)" >&2; exit 3' > "$log" 2>&1
        status=$?
        curl -fsS -m 10 --retry 3 -o /dev/null --data-binary @"$log" "$url/$status" || exit 101
        rm -f "$log"
        """;

    [Fact]
    public async Task A_scripts_failed_run_is_a_failed_context_with_its_duration_exit_status_and_output()
    {
        using var created = await Client.PostAsync(DistributedDeployment.AdminKey, "/v1/checks", """{"name":"Offsite backup","periodSeconds":86400,"graceSeconds":3600}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var check = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        var id = check.GetProperty("id").GetString()!;
        var url = new Uri(deployment.Gateway.Address, check.GetProperty("pingUrl").GetString()).ToString();

        using var script = new TempDirectory("operational-check-script");
        var path = Path.Combine(script.Path, "backup.sh");
        await File.WriteAllTextAsync(path, Script);
        using (var sh = Process.Start(new ProcessStartInfo("sh") { ArgumentList = { path, url }, RedirectStandardError = true })!)
        {
            var errors = await sh.StandardError.ReadToEndAsync();
            await sh.WaitForExitAsync();
            Assert.True(sh.ExitCode == 0, $"the script failed ({sh.ExitCode}): {errors}");
        }

        var run = (await Client.GetJsonAsync(DistributedDeployment.AdminKey, $"/v1/checks/{id}/runs")).GetProperty("runs").EnumerateArray().Single();
        Assert.Equal(("fail", 3), (run.GetProperty("outcome").GetString(), run.GetProperty("exitStatus").GetInt32()));
        Assert.True(run.GetProperty("durationMs").GetInt64() >= 1000, run.GetRawText());
        var runId = run.GetProperty("runId").GetString()!;

        var detail = await Client.WaitForContextAsync(DistributedDeployment.AdminKey, runId,
            d => d.GetProperty("context").GetProperty("status").GetString() == "failed" && d.GetProperty("events").GetArrayLength() == 2, Settle);
        Assert.True(detail.GetProperty("context").GetProperty("durationMs").GetInt64() >= 1000);
        var end = detail.GetProperty("events").EnumerateArray().Last();
        Assert.Equal(3, end.GetProperty("tags").GetProperty("exitStatus").GetInt32());
        Assert.Equal(id, end.GetProperty("tags").GetProperty("check").GetString());
        Assert.Contains("rsync: connection unexpectedly closed", end.GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.Contains("copying 3 files", end.GetProperty("content").GetString(), StringComparison.Ordinal);

        var down = await Client.WaitForJsonAsync(DistributedDeployment.AdminKey, $"/v1/checks/{id}", c => c.GetProperty("status").GetString() == "down", Settle);
        Assert.Equal(2, down.GetProperty("pings").GetInt32());
        var alerts = await Client.GetJsonAsync(DistributedDeployment.AdminKey, "/v1/alerts?status=open");
        var alert = alerts.GetProperty("alerts").EnumerateArray().Single(a => a.GetProperty("ruleId").GetString() == id);
        Assert.Contains("exit status 3", alert.GetProperty("evidence").GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal(runId, alert.GetProperty("evidence").GetProperty("contextId").GetString());
    }

    /// <summary>Slug URLs and badges name the project by a key the gateway checks, and reach the rules process signed as that project.</summary>
    [Fact]
    public async Task Slug_pings_create_their_check_and_badges_show_it_through_the_rules_process()
    {
        var pingKey = await KeyAsync("ping");
        var badgeKey = await KeyAsync("badge");
        using var http = new HttpClient { BaseAddress = deployment.Gateway.Address };

        using (var missing = await http.GetAsync($"/ping/{pingKey}/e2e-nightly-report"))
        {
            Assert.Equal((HttpStatusCode.NotFound, "not found"), (missing.StatusCode, await missing.Content.ReadAsStringAsync()));
        }

        using (var createdByPing = await http.PostAsync($"/ping/{pingKey}/e2e-nightly-report/fail?create=1", new StringContent("report template missing")))
        {
            Assert.Equal((HttpStatusCode.Created, "Created"), (createdByPing.StatusCode, await createdByPing.Content.ReadAsStringAsync()));
        }

        var check = (await Client.GetJsonAsync(DistributedDeployment.AdminKey, "/v1/checks")).GetProperty("checks").EnumerateArray()
            .Single(c => c.GetProperty("slug").GetString() == "e2e-nightly-report");
        await Client.WaitForJsonAsync(DistributedDeployment.AdminKey, $"/v1/checks/{check.GetProperty("id").GetString()}", c => c.GetProperty("status").GetString() == "down", Settle);

        using var badge = await http.GetAsync($"/badge/{badgeKey}/e2e-nightly-report.svg");
        Assert.Equal(HttpStatusCode.OK, badge.StatusCode);
        Assert.Contains("e2e-nightly-report: down", await badge.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // A UUID that is no check's, through the same hand-over.
        using var unknown = await http.GetAsync("/ping/5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278");
        Assert.Equal((HttpStatusCode.NotFound, "not found"), (unknown.StatusCode, await unknown.Content.ReadAsStringAsync()));
    }

    private async Task<string> KeyAsync(string scope)
    {
        using var created = await Client.PostAsync(DistributedDeployment.AdminKey, "/v1/keys", $$"""{"name":"e2e {{scope}}","scopes":["{{scope}}"]}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;
    }
}
