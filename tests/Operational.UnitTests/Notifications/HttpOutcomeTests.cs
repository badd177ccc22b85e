using System.Net;
using Microsoft.Extensions.Time.Testing;
using Operational.Notifications;
using Operational.Notifications.Deliveries;
using Operational.Notifications.Deliveries.Senders;

namespace Operational.UnitTests.Notifications;

public sealed class HttpOutcomeTests
{
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Too_many_requests_waits_as_long_as_the_destination_asks()
    {
        using var seconds = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        seconds.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(120));
        using var date = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        date.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(Clock.GetUtcNow().AddMinutes(5));

        Assert.Equal(TimeSpan.FromSeconds(120), (await HttpOutcome.ReadAsync(seconds, Clock, CancellationToken.None)).RetryAfter);
        Assert.Equal(TimeSpan.FromMinutes(5), (await HttpOutcome.ReadAsync(date, Clock, CancellationToken.None)).RetryAfter);
    }

    [Theory]
    [InlineData(HttpStatusCode.OK, true, false)]
    [InlineData(HttpStatusCode.Created, true, false)]
    [InlineData(HttpStatusCode.InternalServerError, false, false)]
    [InlineData(HttpStatusCode.BadGateway, false, false)]
    [InlineData(HttpStatusCode.Gone, false, true)]
    public async Task Status_decides_success_retry_or_the_end(HttpStatusCode status, bool succeeded, bool permanent)
    {
        using var response = new HttpResponseMessage(status) { Content = new StringContent("nope") };

        var outcome = await HttpOutcome.ReadAsync(response, Clock, CancellationToken.None);

        Assert.Equal((succeeded, permanent, (int)status), (outcome.Succeeded, outcome.Permanent, outcome.StatusCode!.Value));
    }

    [Fact]
    public void Backoff_doubles_with_jitter_up_to_the_cap()
    {
        var settings = new DeliveryOptions { BaseDelay = TimeSpan.FromSeconds(5), MaxDelay = TimeSpan.FromMinutes(10) };

        for (var attempt = 1; attempt <= 12; attempt++)
        {
            var full = Math.Min(5 * Math.Pow(2, attempt - 1), 600);
            var delay = DeliveryDispatcher.Backoff(attempt, settings).TotalSeconds;
            Assert.InRange(delay, full / 2, full);
        }

        var spread = Enumerable.Range(0, 50).Select(_ => DeliveryDispatcher.Backoff(3, settings)).Distinct().Count();
        Assert.True(spread > 10, "retries of many deliveries should spread out");
    }
}
