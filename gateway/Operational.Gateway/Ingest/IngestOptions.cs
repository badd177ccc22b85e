using Microsoft.Extensions.Options;
using Operational.Contracts.Topology;

namespace Operational.Gateway.Ingest;

/// <summary>Configuration section <c>Ingest</c>: request limits and the group commit to the bus.</summary>
public sealed class IngestOptions
{
    public const string SectionName = "Ingest";

    /// <summary>Largest accepted body of <c>POST /v1/events</c>, in bytes.</summary>
    public int MaxEventBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Largest accepted body of <c>POST /v1/events/batch</c> (up to 1,000 events), in bytes.</summary>
    public int MaxBatchRequestBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Most events in one bus message.</summary>
    public int MaxBatchEvents { get; set; } = 256;

    /// <summary>Approximate upper bound of one bus message, in bytes of request JSON.</summary>
    public int MaxBatchBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// How long the publisher waits for more events before publishing a batch that is not
    /// full. Zero still batches under load: whatever arrives while a publish is in flight
    /// goes into the next batch.
    /// </summary>
    public TimeSpan Linger { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Batches published and awaiting the broker's confirm at the same time. Two keep the gateway
    /// busy during a confirm; more make smaller batches, and every bus message has a cost of its own
    /// for the broker and each subscriber, so fewer, fuller messages are cheaper (docs/benchmarks.md).
    /// </summary>
    public int PublishesInFlight { get; set; } = 2;

    /// <summary>How long a batch may wait for the broker's confirm before its requests get 503.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// After a failed publish, how long requests are refused at once (503) before one batch
    /// probes the bus again.
    /// </summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Standalone: how often the ingest journal is searched for accepted batches that are not being
    /// processed (their removal failed, e.g. on a full disk) to publish them again.
    /// </summary>
    public TimeSpan JournalRetryInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// RabbitMQ: how often the gateway checks that it can reach the broker when no events come, so
    /// that readiness follows the broker both ways without traffic.
    /// </summary>
    public TimeSpan BrokerProbeInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Events waiting for the publisher; beyond it requests get 503 at once (back-pressure).</summary>
    public int QueueCapacity { get; set; } = 20_000;

    /// <summary>How long a client-supplied event id is remembered, so that resending it is answered "duplicate".</summary>
    public TimeSpan DuplicateWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Seconds a client is told to wait (Retry-After) when the bus cannot take events.</summary>
    public int RetryAfterSeconds { get; set; } = 5;

    /// <summary>
    /// Subscriber queues the gateway declares on RabbitMQ so that no event is dropped before
    /// a service's first start. Remove the queue of a service you do not deploy, or it grows forever.
    /// </summary>
    /// <remarks>
    /// Empty by default rather than pre-filled: the configuration binder appends to an array it
    /// finds filled, so configured queues could never replace the defaults. See <see cref="Subscribers"/>.
    /// </remarks>
    public string[] SubscriberQueues { get; set; } = [];

    /// <summary>The configured subscriber queues, or every service's when none are configured.</summary>
    public IReadOnlyList<string> Subscribers => SubscriberQueues.Length > 0 ? SubscriberQueues : EventSubscriberQueues.All;
}

internal sealed class IngestOptionsValidator : IValidateOptions<IngestOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestOptions o)
    {
        var failures = new List<string>();
        if (o.MaxEventBodyBytes is < 1024 or > 16 * 1024 * 1024)
        {
            failures.Add($"Ingest:MaxEventBodyBytes must be between 1024 and 16777216, not {o.MaxEventBodyBytes}.");
        }

        if (o.MaxBatchRequestBytes < o.MaxEventBodyBytes || o.MaxBatchRequestBytes > 64 * 1024 * 1024)
        {
            failures.Add($"Ingest:MaxBatchRequestBytes must be between Ingest:MaxEventBodyBytes ({o.MaxEventBodyBytes}) and 67108864, not {o.MaxBatchRequestBytes}.");
        }

        if (o.PublishesInFlight is < 1 or > 64)
        {
            failures.Add($"Ingest:PublishesInFlight must be between 1 and 64, not {o.PublishesInFlight}.");
        }

        if (o.DuplicateWindow < TimeSpan.FromMinutes(1))
        {
            failures.Add($"Ingest:DuplicateWindow must be at least 00:01:00, not {o.DuplicateWindow}.");
        }

        if (o.MaxBatchEvents is < 1 or > 10_000)
        {
            failures.Add($"Ingest:MaxBatchEvents must be between 1 and 10000, not {o.MaxBatchEvents}.");
        }

        if (o.MaxBatchBytes < o.MaxEventBodyBytes)
        {
            failures.Add($"Ingest:MaxBatchBytes ({o.MaxBatchBytes}) must be at least Ingest:MaxEventBodyBytes ({o.MaxEventBodyBytes}).");
        }

        if (o.Linger < TimeSpan.Zero || o.Linger > TimeSpan.FromSeconds(1))
        {
            failures.Add("Ingest:Linger must be between 00:00:00 and 00:00:01.");
        }

        if (o.PublishTimeout <= TimeSpan.Zero)
        {
            failures.Add("Ingest:PublishTimeout must be positive.");
        }

        if (o.BreakDuration <= TimeSpan.Zero || o.BreakDuration > TimeSpan.FromMinutes(5))
        {
            failures.Add("Ingest:BreakDuration must be between 00:00:00.001 and 00:05:00.");
        }

        if (o.JournalRetryInterval < TimeSpan.FromSeconds(1) || o.JournalRetryInterval > TimeSpan.FromHours(1))
        {
            failures.Add($"Ingest:JournalRetryInterval must be between 00:00:01 and 01:00:00, not {o.JournalRetryInterval}.");
        }

        if (o.BrokerProbeInterval < TimeSpan.FromMilliseconds(100) || o.BrokerProbeInterval > TimeSpan.FromMinutes(5))
        {
            failures.Add($"Ingest:BrokerProbeInterval must be between 00:00:00.1 and 00:05:00, not {o.BrokerProbeInterval}.");
        }

        if (o.QueueCapacity < o.MaxBatchEvents)
        {
            failures.Add($"Ingest:QueueCapacity ({o.QueueCapacity}) must be at least Ingest:MaxBatchEvents ({o.MaxBatchEvents}).");
        }

        if (o.RetryAfterSeconds is < 1 or > 3600)
        {
            failures.Add("Ingest:RetryAfterSeconds must be between 1 and 3600.");
        }

        if (o.SubscriberQueues.Any(string.IsNullOrWhiteSpace))
        {
            failures.Add("Ingest:SubscriberQueues must not contain empty names.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
