namespace Operational.Client;

/// <summary>Where the client sends and how it buffers.</summary>
public sealed class OperationalClientOptions
{
    /// <summary>The gateway's address, e.g. https://ops.example.com (or the standalone host's).</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>A project key with the <c>ingest</c> scope (to send), or <c>read</c>/<c>admin</c> to read too.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Events waiting to be sent. When the server is away longer than this lasts, the oldest are dropped (counted and logged).</summary>
    public int BufferCapacity { get; set; } = 10_000;

    /// <summary>Most events per batch request (the API takes up to 1,000).</summary>
    public int BatchSize { get; set; } = 200;

    /// <summary>How long the sender waits for more events before sending a batch that is not full.</summary>
    public TimeSpan Linger { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The longest wait between retries (they start at 200 ms and double, or follow <c>Retry-After</c>).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long disposing the client may spend sending what is buffered.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one request may take.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    internal void Validate()
    {
        if (BaseAddress is null || !BaseAddress.IsAbsoluteUri)
        {
            throw new ArgumentException("OperationalClientOptions.BaseAddress must be the gateway's absolute address, e.g. https://ops.example.com.");
        }

        if (string.IsNullOrWhiteSpace(ApiKey))
        {
            throw new ArgumentException("OperationalClientOptions.ApiKey is required: a project key with the ingest scope.");
        }

        if (BufferCapacity < 1 || BatchSize is < 1 or > 1000)
        {
            throw new ArgumentException("BufferCapacity must be at least 1 and BatchSize from 1 to 1000.");
        }
    }
}
