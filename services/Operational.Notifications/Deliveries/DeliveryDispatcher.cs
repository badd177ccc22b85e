using Microsoft.Extensions.Options;
using Operational.Notifications.Channels;
using Operational.Notifications.Deliveries.Senders;
using Operational.Notifications.Push;
using Operational.ServiceDefaults.Hosting;

namespace Operational.Notifications.Deliveries;

/// <summary>Set when deliveries were queued on this replica, so they are attempted without waiting for the next poll.</summary>
public sealed class DeliveriesQueued : Signal;

/// <summary>
/// Attempts due deliveries, many at once, each under its own deadline: a channel that hangs holds
/// at most <c>MaxInFlightPerChannel</c> slots until its attempts time out, so the others keep
/// being delivered on time. A failed attempt is retried after an exponential delay with jitter
/// (or the destination's Retry-After); after the last attempt the delivery is marked failed.
/// Outcomes are recorded in batches: one commit per attempt would cost a disk sync each, which is
/// what bounded a 1,000-device fan-out before (see docs/benchmarks.md).
/// </summary>
public sealed class DeliveryDispatcher(
    IDeliveryStore deliveries,
    IChannelStore channels,
    IEnumerable<IChannelSender> senders,
    IPushStore subscriptions,
    WebPushSender push,
    DeliveriesQueued queued,
    IOptions<NotificationsOptions> options,
    TimeProvider clock,
    ILogger<DeliveryDispatcher> logger) : BackgroundService
{
    /// <summary>Each capped channel's messages in the current minute, in this process (each replica keeps its own count).</summary>
    private readonly ChannelCaps _caps = new(clock);

    private readonly Dictionary<string, IChannelSender> _senders = senders.ToDictionary(s => s.Kind, StringComparer.Ordinal);
    private static readonly TimeSpan RecordLinger = TimeSpan.FromMilliseconds(20);

    private readonly System.Threading.Channels.Channel<Delivery> _outcomes = System.Threading.Channels.Channel.CreateUnbounded<Delivery>();

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(DispatchAsync(stoppingToken), RecordAsync(stoppingToken));

    /// <summary>Writes the outcomes that have come in since the last write, together.</summary>
    private async Task RecordAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Delivery>();
        try
        {
            while (await _outcomes.Reader.WaitToReadAsync(stoppingToken))
            {
                // Linger a moment: under load, outcomes arrive a few per millisecond, and one commit
                // (one disk sync) for all of them beats one each (measured: 755 commits for 1,000
                // pushes without the linger; they held the writer lock the claims need).
                await Task.Delay(RecordLinger, stoppingToken);
                while (batch.Count < 500 && _outcomes.Reader.TryRead(out var outcome))
                {
                    batch.Add(outcome);
                }

                try
                {
                    await deliveries.RecordAttemptsAsync(batch, CancellationToken.None);
                }
                catch (Exception e)
                {
                    // Their claims expire and they are attempted again: at least once, not at most once.
                    logger.LogWarning(e, "Could not record {Count} delivery attempts", batch.Count);
                }

                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task DispatchAsync(CancellationToken stoppingToken)
    {
        var running = new List<(string ChannelId, Task Attempt)>();
        while (!stoppingToken.IsCancellationRequested)
        {
            var wake = queued.Next;
            running.RemoveAll(r => r.Attempt.IsCompleted);
            var settings = options.Value.Delivery;
            var free = settings.MaxInFlight - running.Count;
            if (free > 0)
            {
                try
                {
                    var now = clock.GetUtcNow();
                    foreach (var delivery in await deliveries.ClaimDueAsync(now, settings.AttemptTimeout * 3, free, stoppingToken))
                    {
                        if (running.Count(r => r.ChannelId == delivery.ChannelId) >= settings.MaxInFlightPerChannel)
                        {
                            // This channel has its share of slots; the others' deliveries go first.
                            _outcomes.Writer.TryWrite(delivery with { NextAttemptAt = now + TimeSpan.FromSeconds(1) });
                            continue;
                        }

                        running.Add((delivery.ChannelId, AttemptAsync(delivery, stoppingToken)));
                    }
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(e, "Could not claim due deliveries; trying again shortly");
                }
            }

            var waits = new List<Task> { wake, Task.Delay(settings.PollInterval, clock, stoppingToken) };
            waits.AddRange(running.Select(r => r.Attempt));
            await Task.WhenAny(waits);
        }
    }

    /// <summary>One attempt of one delivery, and its outcome recorded.</summary>
    public async Task AttemptAsync(Delivery delivery, CancellationToken stoppingToken)
    {
        var settings = options.Value.Delivery;
        AttemptResult result;
        try
        {
            result = await SendAsync(delivery, settings.AttemptTimeout, stoppingToken);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            result = new AttemptResult(false, null, e.Message);
        }

        var now = clock.GetUtcNow();
        if (result.Deferred)
        {
            _outcomes.Writer.TryWrite(delivery with { NextAttemptAt = now + (result.RetryAfter ?? TimeSpan.FromSeconds(1)), UpdatedAt = now });
            return;
        }

        var attempts = delivery.Attempts + 1;
        var status = result.Succeeded ? DeliveryStatus.Succeeded
            : result.Permanent || attempts >= settings.MaxAttempts ? DeliveryStatus.Failed
            : DeliveryStatus.Pending;
        var next = status == DeliveryStatus.Pending ? now + (result.RetryAfter ?? Backoff(attempts, settings)) : now;
        var recorded = delivery with
        {
            Status = status,
            Attempts = attempts,
            NextAttemptAt = next,
            UpdatedAt = now,
            LastError = result.Succeeded ? null : result.Error,
            LastStatusCode = result.StatusCode,
            RemoteId = result.RemoteId ?? delivery.RemoteId,
        };
        _outcomes.Writer.TryWrite(recorded);

        if (status == DeliveryStatus.Failed)
        {
            logger.LogWarning("Delivery {DeliveryId} to channel {ChannelId} failed after {Attempts} attempts: {Error}", delivery.Id, delivery.ChannelId, attempts, result.Error);
        }
    }

    /// <summary>The wait before the next attempt: base · 2^(attempts − 1), capped, then somewhere in its upper half (jitter, so retries of many deliveries spread out).</summary>
    public static TimeSpan Backoff(int attempts, DeliveryOptions settings)
    {
        var exponential = settings.BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempts - 1, 30));
        var capped = Math.Min(exponential, settings.MaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.5 + (Random.Shared.NextDouble() / 2)));
    }

    private async Task<AttemptResult> SendAsync(Delivery delivery, TimeSpan timeout, CancellationToken stoppingToken)
    {
        Func<CancellationToken, Task<AttemptResult>> send;
        if (delivery.ChannelId.StartsWith(WebPushSender.TargetPrefix, StringComparison.Ordinal))
        {
            if (await subscriptions.GetSubscriptionAsync(delivery.ProjectId, delivery.ChannelId[WebPushSender.TargetPrefix.Length..], stoppingToken) is not { } subscription)
            {
                return new AttemptResult(false, null, "The device turned push off.", Permanent: true);
            }

            send = token => push.SendAsync(subscription, delivery, token);
        }
        else
        {
            if (await channels.GetAsync(delivery.ProjectId, delivery.ChannelId, stoppingToken) is not { } channel)
            {
                return new AttemptResult(false, null, "The channel was deleted.", Permanent: true);
            }

            if (!_senders.TryGetValue(channel.Definition.Kind!, out var sender))
            {
                return new AttemptResult(false, null, $"Sending to {channel.Definition.Kind} channels is not built yet.", Permanent: true);
            }

            if (channel.Definition.MaxMessagesPerMinute is { } cap && !_caps.TryAcquire(channel.Id, cap, out var wait))
            {
                return new AttemptResult(false, null, null, RetryAfter: wait, Deferred: true);
            }

            send = token => sender.SendAsync(channel, delivery, token);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await send(deadline.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return new AttemptResult(false, null, $"No answer within {HttpOutcome.Seconds(timeout)}.");
        }
        catch (HttpRequestException e)
        {
            return new AttemptResult(false, null, e.Message);
        }
    }
}
