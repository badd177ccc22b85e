using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using MongoDB.Driver;

namespace Operational.ServiceDefaults.Bus;

/// <summary>
/// Tells a consumer's failure caused by what it depends on (its database full, locked, read-only
/// or unreachable, a service it calls down) from one caused by the message itself. The first kind
/// ends when the dependency recovers, so its messages wait and are retried for as long as it lasts;
/// dead-lettering them would hide accepted events from the API. Only the second kind is poison.
/// </summary>
public static class DependencyFailures
{
    // SQLite result codes that a message's content can cause; every other code is the database's condition.
    private const int SqliteTooBig = 18;
    private const int SqliteConstraint = 19;
    private const int SqliteMismatch = 20;
    private const int SqliteRange = 25;

    // MongoDB server error codes of a node that is unreachable, stepping down, shutting down or out of space.
    private static readonly HashSet<int> MongoOutageCodes =
        [6, 7, 50, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 14031];

    public static bool IsOutage(Exception exception) => exception switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode is not (SqliteTooBig or SqliteConstraint or SqliteMismatch or SqliteRange),
        MongoConnectionException or MongoExecutionTimeoutException or MongoWaitQueueFullException
            or MongoNotPrimaryException or MongoNodeIsRecoveringException => true,
        MongoException mongo when mongo.HasErrorLabel("RetryableWriteError") || mongo.HasErrorLabel("TransientTransactionError") => true,
        MongoWriteException write => write.WriteError?.Code is { } code && MongoOutageCodes.Contains(code),
        MongoCommandException command => MongoOutageCodes.Contains(command.Code),
        TimeoutException or IOException or SocketException or UnauthorizedAccessException or HttpRequestException => true,
        // An HTTP call that timed out (not the consumer being stopped, which the retry filter sees itself).
        TaskCanceledException { InnerException: TimeoutException } => true,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsOutage),
        _ => exception.InnerException is { } inner && IsOutage(inner),
    };
}
