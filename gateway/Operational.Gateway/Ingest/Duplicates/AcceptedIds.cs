namespace Operational.Gateway.Ingest.Duplicates;

/// <summary>
/// The ledger as the ingest endpoints use it. Its trouble never blocks ingest: storage dedupes
/// by id anyway, so without the ledger a resent event is merely answered "accepted" again.
/// </summary>
internal sealed class AcceptedIds(IEventIdLedger ledger, ILogger<AcceptedIds> logger)
{
    private static readonly IReadOnlySet<string> None = new HashSet<string>();

    public async Task<IReadOnlySet<string>> KnownAsync(string projectId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return None;
        }

        try
        {
            return await ledger.FindAsync(projectId, ids, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not check {Count} event ids for duplicates; accepting them (storage dedupes)", ids.Count);
            return None;
        }
    }

    /// <summary>Takes no cancellation token: the events are accepted, whether or not the client still listens.</summary>
    public async Task RememberAsync(string projectId, IReadOnlyCollection<string> ids, DateTimeOffset acceptedAt)
    {
        try
        {
            await ledger.RecordAsync(projectId, ids, acceptedAt, CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not record {Count} accepted event ids; a resend will be answered as accepted, and stored once", ids.Count);
        }
    }
}
