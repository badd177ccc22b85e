using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Operational.Ids;

namespace Operational.Client;

/// <summary>Sends events to Operational.</summary>
public interface IOperationalClient : IAsyncDisposable
{
    /// <summary>
    /// Queues the event to be sent in the background, in a batch, retried until the server takes
    /// it. Never throws and never waits for the network: when the buffer is full the oldest
    /// waiting event is dropped (counted, and logged).
    /// </summary>
    void Send(OperationalEvent e);

    /// <summary>Sends one event now and says what became of it; does not throw for the server's refusals or its absence.</summary>
    Task<DeliveryResult> SendAsync(OperationalEvent e, bool waitForDelivery, CancellationToken cancellationToken = default);

    /// <summary>Waits until every event queued so far was sent (or dropped as invalid).</summary>
    Task FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>Events dropped because the buffer was full while the server was away.</summary>
    long Dropped { get; }

    /// <summary>Events waiting to be sent.</summary>
    int Waiting { get; }

    /// <summary>
    /// Pings a job check (<c>/ping/{uuid}[/start|/fail|/log|/{exitStatus}]</c>) with <paramref name="output"/> as its body.
    /// Never throws for the server's refusal or absence: the result says whether it was recorded.
    /// </summary>
    /// <param name="checkId">The check's ping UUID.</param>
    /// <param name="signal">null for success, <c>start</c>, <c>fail</c>, <c>log</c>, or an exit status (<c>"3"</c>).</param>
    /// <param name="output">The job's output, kept with its run.</param>
    /// <param name="runId">Pairs a start with its end when runs overlap (a UUID).</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    Task<PingResult> PingAsync(Guid checkId, string? signal = null, string? output = null, string? runId = null, CancellationToken cancellationToken = default);

    /// <summary>Pings a job check by its slug (<c>/ping/{pingKey}/{slug}[/…]</c>); as the UUID form otherwise.</summary>
    /// <param name="pingKey">A key of the check's project with the <c>ping</c> scope.</param>
    /// <param name="slug">The check's slug, e.g. <c>database-backup</c>.</param>
    /// <param name="signal">null for success, <c>start</c>, <c>fail</c>, <c>log</c>, or an exit status (<c>"3"</c>).</param>
    /// <param name="output">The job's output, kept with its run.</param>
    /// <param name="runId">Pairs a start with its end when runs overlap (a UUID).</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    Task<PingResult> PingAsync(string pingKey, string slug, string? signal = null, string? output = null, string? runId = null, CancellationToken cancellationToken = default);
}

/// <summary>What became of a ping.</summary>
/// <param name="Recorded">The server recorded it.</param>
/// <param name="Status">The HTTP status; 0 when the server did not answer (then <see cref="Error"/> says why).</param>
/// <param name="Error">The server's answer when not recorded, or the network error.</param>
public sealed record PingResult(bool Recorded, int Status, string? Error)
{
    /// <summary>The server answered that there is no such check (or key).</summary>
    public bool NotFound => Status == 404;
}

/// <summary>
/// The client: a bounded buffer drained by one background sender, which posts batches to
/// <c>/v1/events/batch</c> and retries what the server could not take (429, 503, no answer) with
/// backoff, following <c>Retry-After</c>. Ids are made here, so an event retried after a lost
/// answer is stored once. Disposing sends what is buffered, for at most <see cref="OperationalClientOptions.ShutdownTimeout"/>.
/// </summary>
public sealed class OperationalClient : IOperationalClient
{
    private static readonly Meter Meter = new("Operational.Client");
    private static readonly Counter<long> SentCounter = Meter.CreateCounter<long>("operational.client.sent", "{event}", "Events the server took.");
    private static readonly Counter<long> DroppedCounter = Meter.CreateCounter<long>("operational.client.dropped", "{event}", "Events dropped: buffer full, or refused as invalid.");

    private readonly OperationalClientOptions _options;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly ILogger _logger;
    private readonly Channel<OperationalEvent> _buffer;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _sender;
    private long _dropped;
    private long _queued;
    private long _done;
    private DateTimeOffset _lastDropWarning = DateTimeOffset.MinValue;

    /// <summary>A client with an <see cref="HttpClient"/> of its own.</summary>
    public OperationalClient(OperationalClientOptions options, ILogger<OperationalClient>? logger = null)
        : this(options, null, logger)
    {
    }

    /// <summary>A client sending through <paramref name="http"/>.</summary>
    /// <param name="options">Where to send, and how to buffer.</param>
    /// <param name="http">An <see cref="HttpClient"/> to use (from <c>IHttpClientFactory</c>); one of its own when null.</param>
    /// <param name="logger">Where the background sender reports what it could not do.</param>
    public OperationalClient(OperationalClientOptions options, HttpClient? http, ILogger<OperationalClient>? logger = null)
    {
        options.Validate();
        _options = options;
        _ownsHttp = http is null;
        _http = http ?? new HttpClient();
        _http.BaseAddress ??= options.BaseAddress;
        _http.Timeout = options.RequestTimeout;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _buffer = Channel.CreateBounded<OperationalEvent>(
            new BoundedChannelOptions(options.BufferCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            OnDropped);
        _sender = Task.Run(() => SendLoopAsync(_stopping.Token));
    }

    /// <inheritdoc/>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <inheritdoc/>
    public int Waiting => _buffer.Reader.Count;

    /// <inheritdoc/>
    public void Send(OperationalEvent e)
    {
        Interlocked.Increment(ref _queued);
        // The id is made by the sender, off the app's thread, before the first attempt.
        if (!_buffer.Writer.TryWrite(e))
        {
            // Only after disposal: nothing will send it.
            Interlocked.Increment(ref _done);
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <inheritdoc/>
    public async Task<DeliveryResult> SendAsync(OperationalEvent e, bool waitForDelivery, CancellationToken cancellationToken = default)
    {
        var withId = WithId(e);
        if (!waitForDelivery)
        {
            Send(withId);
            return new DeliveryResult(true, withId.Id, false, 0, null);
        }

        try
        {
            using var request = Request(HttpMethod.Post, "/v1/events", JsonContent.Create(withId, ClientJson.Default.OperationalEvent));
            using var response = await _http.SendAsync(request, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                var accepted = await response.Content.ReadFromJsonAsync(ClientJson.Default.AcceptedResponse, cancellationToken);
                return new DeliveryResult(true, accepted?.Id ?? withId.Id, accepted?.Duplicate == true, (int)response.StatusCode, null);
            }

            return new DeliveryResult(false, withId.Id, false, (int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new DeliveryResult(false, withId.Id, false, 0, ex.Message);
        }
    }

    /// <inheritdoc/>
    public Task<PingResult> PingAsync(Guid checkId, string? signal = null, string? output = null, string? runId = null, CancellationToken cancellationToken = default) =>
        PingPathAsync($"/ping/{checkId:D}", signal, output, runId, cancellationToken);

    /// <inheritdoc/>
    public Task<PingResult> PingAsync(string pingKey, string slug, string? signal = null, string? output = null, string? runId = null, CancellationToken cancellationToken = default) =>
        PingPathAsync($"/ping/{Uri.EscapeDataString(pingKey)}/{Uri.EscapeDataString(slug)}", signal, output, runId, cancellationToken);

    private async Task<PingResult> PingPathAsync(string check, string? signal, string? output, string? runId, CancellationToken cancellationToken)
    {
        var path = check + (signal is null ? "" : "/" + Uri.EscapeDataString(signal)) + (runId is null ? "" : $"?rid={Uri.EscapeDataString(runId)}");
        try
        {
            // No bearer key: the URL is the secret, as in Healthchecks.
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(output ?? "") };
            using var response = await _http.SendAsync(request, cancellationToken);
            return response.IsSuccessStatusCode
                ? new PingResult(true, (int)response.StatusCode, null)
                : new PingResult(false, (int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            _logger.LogWarning("Operational: could not ping {Check} ({Error})", check.StartsWith("/ping/op_", StringComparison.Ordinal) ? "a check by slug" : check, ex.Message);
            return new PingResult(false, 0, ex.Message);
        }
    }

    /// <summary>
    /// Sends these events now as one batch (1–1,000), once, and reports each: for loaders that keep
    /// their own place and retry themselves (<c>ops import</c>). The background sender is for apps.
    /// Never throws for the server's refusal or absence.
    /// </summary>
    public async Task<BatchResult> SendBatchAsync(IReadOnlyList<OperationalEvent> events, CancellationToken cancellationToken = default)
    {
        var withIds = events.Select(WithId).ToList();
        try
        {
            using var request = Request(HttpMethod.Post, "/v1/events/batch", JsonContent.Create(new BatchRequest(withIds), ClientJson.Default.BatchRequest));
            using var response = await _http.SendAsync(request, cancellationToken);
            var status = (int)response.StatusCode;
            if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable
                && response.Content.Headers.ContentType?.MediaType == "application/json"
                && await response.Content.ReadFromJsonAsync(ClientJson.Default.BatchResponse, cancellationToken) is { } body)
            {
                return new BatchResult(status, body.Results.Select(i => new BatchItemResult(i.Index, i.Status, i.Id ?? withIds[i.Index].Id, i.Errors)).ToList(),
                    response.Headers.RetryAfter?.Delta, null);
            }

            return new BatchResult(status, [], response.Headers.RetryAfter?.Delta, await response.Content.ReadAsStringAsync(cancellationToken));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new BatchResult(0, [], null, ex.Message);
        }
    }

    /// <inheritdoc/>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var target = Interlocked.Read(ref _queued);
        while (Interlocked.Read(ref _done) < target)
        {
            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>Stops taking events and sends what is buffered, for at most the options' shutdown timeout.</summary>
    public async ValueTask DisposeAsync()
    {
        _buffer.Writer.TryComplete();
        using (var flush = new CancellationTokenSource(_options.ShutdownTimeout))
        {
            try
            {
                await FlushAsync(flush.Token);
            }
            catch (OperationCanceledException)
            {
                _logger.LogWarning("Operational: {Count} events were still waiting when the client stopped and are lost", Interlocked.Read(ref _queued) - Interlocked.Read(ref _done));
            }
        }

        await _stopping.CancelAsync();
        await _sender.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private static OperationalEvent WithId(OperationalEvent e) => e.Id is null ? e with { Id = EventIds.New() } : e;

    private void OnDropped(OperationalEvent e)
    {
        Interlocked.Increment(ref _dropped);
        Interlocked.Increment(ref _done);
        DroppedCounter.Add(1, new KeyValuePair<string, object?>("reason", "buffer-full"));
        var now = DateTimeOffset.UtcNow;
        if (now - _lastDropWarning > TimeSpan.FromSeconds(30))
        {
            _lastDropWarning = now;
            _logger.LogWarning("Operational: the buffer of {Capacity} events is full (the server has not taken events for a while); the oldest are dropped, {Dropped} so far",
                _options.BufferCapacity, Dropped);
        }
    }

    private async Task SendLoopAsync(CancellationToken stopping)
    {
        var reader = _buffer.Reader;
        var batch = new List<OperationalEvent>(_options.BatchSize);
        try
        {
            while (await reader.WaitToReadAsync(stopping))
            {
                while (batch.Count < _options.BatchSize && reader.TryRead(out var e))
                {
                    batch.Add(WithId(e));
                }

                if (batch.Count < _options.BatchSize && _options.Linger > TimeSpan.Zero)
                {
                    await Task.Delay(_options.Linger, stopping);
                    while (batch.Count < _options.BatchSize && reader.TryRead(out var e))
                    {
                        batch.Add(WithId(e));
                    }
                }

                await DeliverAsync(batch, stopping);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // Never into the app: the sender stops, and says why.
            _logger.LogError(ex, "Operational: the background sender stopped");
        }
    }

    /// <summary>Sends the batch until the server has taken (or refused as invalid) every event in it.</summary>
    private async Task DeliverAsync(List<OperationalEvent> batch, CancellationToken stopping)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        var pending = batch;
        while (pending.Count > 0)
        {
            TimeSpan? retryAfter = null;
            try
            {
                using var request = Request(HttpMethod.Post, "/v1/events/batch", JsonContent.Create(new BatchRequest(pending), ClientJson.Default.BatchRequest));
                using var response = await _http.SendAsync(request, stopping);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    var body = await response.Content.ReadAsByteArrayAsync(stopping);
                    if (BatchCounts.AllTaken(body, pending.Count, out var taken))
                    {
                        // The common case needs only the counts: the 200 items stay unread.
                        Completed(pending.Count);
                        SentCounter.Add(taken);
                        return;
                    }

                    var result = JsonSerializer.Deserialize(body, ClientJson.Default.BatchResponse);
                    var retry = new List<OperationalEvent>();
                    foreach (var item in result?.Results ?? [])
                    {
                        switch (item.Status)
                        {
                            case "unavailable":
                                retry.Add(pending[item.Index]);
                                break;
                            case "invalid":
                                DroppedCounter.Add(1, new KeyValuePair<string, object?>("reason", "invalid"));
                                _logger.LogWarning("Operational: event '{Name}' was refused as invalid and dropped", pending[item.Index].Name);
                                break;
                        }
                    }

                    Completed(pending.Count - retry.Count);
                    SentCounter.Add((result?.Accepted ?? 0) + (result?.Duplicate ?? 0));
                    pending = retry;
                    if (pending.Count == 0)
                    {
                        return;
                    }
                }
                else if (response.StatusCode is HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500)
                {
                    retryAfter = response.Headers.RetryAfter?.Delta;
                    _logger.LogDebug("Operational: {Status}; retrying {Count} events", (int)response.StatusCode, pending.Count);
                }
                else
                {
                    // The request as a whole is refused (a wrong key, too large): retrying cannot help.
                    _logger.LogError("Operational: {Count} events were refused ({Status}): {Problem}", pending.Count, (int)response.StatusCode,
                        await response.Content.ReadAsStringAsync(stopping));
                    DroppedCounter.Add(pending.Count, new KeyValuePair<string, object?>("reason", "refused"));
                    Completed(pending.Count);
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !stopping.IsCancellationRequested)
            {
                _logger.LogDebug("Operational: the server did not answer ({Error}); retrying {Count} events", ex.Message, pending.Count);
            }

            var wait = retryAfter ?? delay * (0.5 + (Random.Shared.NextDouble() / 2));
            await Task.Delay(wait < _options.MaxRetryDelay ? wait : _options.MaxRetryDelay, stopping);
            delay = delay * 2 < _options.MaxRetryDelay ? delay * 2 : _options.MaxRetryDelay;
        }
    }

    private void Completed(int count) => Interlocked.Add(ref _done, count);

    /// <summary>The counts at the top of a batch answer, read without materializing its items.</summary>
    private static class BatchCounts
    {
        /// <summary>True when every one of <paramref name="expected"/> events was accepted or a duplicate.</summary>
        public static bool AllTaken(ReadOnlySpan<byte> body, int expected, out int taken)
        {
            taken = 0;
            int accepted = -1, duplicate = -1;
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isAccepted = reader.ValueTextEquals("accepted"u8);
                var isDuplicate = !isAccepted && reader.ValueTextEquals("duplicate"u8);
                if (!reader.Read())
                {
                    return false;
                }

                if ((isAccepted || isDuplicate) && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var count))
                {
                    _ = isAccepted ? accepted = count : duplicate = count;
                    if (accepted >= 0 && duplicate >= 0)
                    {
                        taken = accepted + duplicate;
                        return taken == expected;
                    }
                }
                else
                {
                    reader.TrySkip();
                }
            }

            return false;
        }
    }

    internal HttpClient Http => _http;

    internal HttpRequestMessage Authorized(HttpMethod method, string path) => Request(method, path, null);

    private HttpRequestMessage Request(HttpMethod method, string path, HttpContent? content) => new(method, path)
    {
        Content = content,
        Headers = { Authorization = new AuthenticationHeaderValue("Bearer", _options.ApiKey) },
    };
}
