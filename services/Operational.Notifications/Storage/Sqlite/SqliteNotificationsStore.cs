using System.Text.Json;
using Microsoft.Data.Sqlite;
using Operational.Contracts.Api;
using Operational.Notifications.Actions;
using Operational.Notifications.Channels;
using Operational.Notifications.Deliveries;
using Operational.Notifications.Push;
using Operational.Notifications.Settings;
using Operational.ServiceDefaults.Storage;

namespace Operational.Notifications.Storage.Sqlite;

/// <summary>
/// The notifications service's SQLite file: channels (each definition one JSON document), the
/// VAPID key, the push subscriptions and the deliveries.
/// </summary>
public sealed class SqliteNotificationsStore(SqliteDatabase database, StoredSecrets secrets)
    : IChannelStore, IPushStore, IDeliveryStore, IActionStore, INotificationSettingsStore, ISecretResealing
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE channels (
            project_id TEXT NOT NULL,
            id TEXT NOT NULL,
            definition TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (project_id, id)
        ) WITHOUT ROWID;
        """,
        """
        CREATE TABLE vapid_key (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            private_key BLOB NOT NULL,
            public_key BLOB NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE TABLE push_subscriptions (
            project_id TEXT NOT NULL,
            id TEXT NOT NULL,
            endpoint TEXT NOT NULL,
            p256dh BLOB NOT NULL,
            auth BLOB NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (project_id, id)
        ) WITHOUT ROWID;
        CREATE UNIQUE INDEX ux_push_endpoint ON push_subscriptions (project_id, endpoint);
        CREATE INDEX ix_push_endpoint ON push_subscriptions (endpoint);
        """,
        """
        CREATE TABLE deliveries (
            id TEXT PRIMARY KEY,
            project_id TEXT NOT NULL,
            channel_id TEXT NOT NULL,
            source_id TEXT NOT NULL,
            message TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            next_attempt_at INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            last_error TEXT,
            last_status INTEGER,
            claimed_until INTEGER
        );
        CREATE INDEX ix_deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
        CREATE INDEX ix_deliveries_list ON deliveries (project_id, created_at DESC, id DESC);
        """,
        """
        CREATE TABLE action_runs (
            id TEXT PRIMARY KEY,
            project_id TEXT NOT NULL,
            event_id TEXT NOT NULL,
            action_key TEXT NOT NULL,
            status TEXT NOT NULL,
            exclusive INTEGER NOT NULL,
            pressed_by TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            status_code INTEGER,
            error TEXT
        );
        CREATE INDEX ix_action_runs_event ON action_runs (project_id, event_id, created_at DESC);
        CREATE UNIQUE INDEX ux_action_runs_once ON action_runs (project_id, event_id, action_key) WHERE exclusive = 1 AND status <> 'failed';
        CREATE TABLE action_secrets (
            project_id TEXT PRIMARY KEY,
            secret TEXT NOT NULL
        );
        """,
        """
        CREATE TABLE notification_settings (
            project_id TEXT PRIMARY KEY,
            notify_test_events INTEGER NOT NULL
        );
        """,
        """
        ALTER TABLE deliveries ADD COLUMN remote_id TEXT;
        """,
    ];

    public Task InitializeAsync(CancellationToken cancellationToken) => database.MigrateAsync(Migrations, cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) => database.PingAsync(cancellationToken);

    public Task<int> ResealSecretsAsync(CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var count = 0;
            using var channels = connection.Command(transaction, "SELECT project_id, id, definition FROM channels");
            foreach (var (project, id, json) in await channels.ListAsync(r => (r.GetString(0), r.GetString(1), r.GetString(2)), cancellationToken))
            {
                if (!secrets.ChannelIsCurrent(json))
                {
                    var channel = new Channel(id, project, secrets.ReadChannel(project, id, json), default, default);
                    count += await connection.ExecuteAsync(transaction, "UPDATE channels SET definition = $definition WHERE project_id = $project AND id = $id", cancellationToken,
                        ("$definition", secrets.WriteChannel(channel)), ("$project", project), ("$id", id));
                }
            }

            using var actionSecrets = connection.Command(transaction, "SELECT project_id, secret FROM action_secrets");
            foreach (var (project, stored) in await actionSecrets.ListAsync(r => (r.GetString(0), r.GetString(1)), cancellationToken))
            {
                if (!secrets.IsCurrent(stored))
                {
                    count += await connection.ExecuteAsync(transaction, "UPDATE action_secrets SET secret = $secret WHERE project_id = $project", cancellationToken,
                        ("$secret", secrets.SealActionSecret(project, secrets.OpenActionSecret(project, stored))), ("$project", project));
                }
            }

            using var vapid = connection.Command(transaction, "SELECT private_key FROM vapid_key WHERE id = 1");
            if (await vapid.ExecuteScalarAsync(cancellationToken) is byte[] key && !secrets.IsCurrent(key))
            {
                count += await connection.ExecuteAsync(transaction, "UPDATE vapid_key SET private_key = $private WHERE id = 1", cancellationToken,
                    ("$private", secrets.SealVapidKey(secrets.OpenVapidKey(key))));
            }

            return count;
        }, cancellationToken);

    public async Task<Channel?> GetAsync(string projectId, string channelId, CancellationToken cancellationToken) =>
        (await ReadAsync("WHERE project_id = $project AND id = $id", cancellationToken, ("$project", projectId), ("$id", channelId))).SingleOrDefault();

    public Task<IReadOnlyList<Channel>> ListAsync(string projectId, CancellationToken cancellationToken) =>
        ReadAsync("WHERE project_id = $project ORDER BY created_at, id", cancellationToken, ("$project", projectId));

    public Task SaveAsync(Channel channel, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            using var save = connection.Command(transaction, """
                INSERT INTO channels (project_id, id, definition, created_at, updated_at) VALUES ($project, $id, $definition, $created, $updated)
                ON CONFLICT (project_id, id) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at
                """);
            save.Set(("$project", channel.ProjectId), ("$id", channel.Id), ("$definition", secrets.WriteChannel(channel)),
                ("$created", channel.CreatedAt.ToUnixTimeMilliseconds()), ("$updated", channel.UpdatedAt.ToUnixTimeMilliseconds()));
            await save.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public async Task<bool> DeleteAsync(string projectId, string channelId, CancellationToken cancellationToken) =>
        await database.ExecuteAsync("DELETE FROM channels WHERE project_id = $project AND id = $id", cancellationToken, ("$project", projectId), ("$id", channelId)) == 1;

    public Task<VapidKey> GetOrAddVapidKeyAsync(VapidKey created, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            using var insert = connection.Command(transaction,
                "INSERT INTO vapid_key (id, private_key, public_key, created_at) VALUES (1, $private, $public, $created) ON CONFLICT DO NOTHING");
            insert.Set(("$private", secrets.SealVapidKey(created.PrivateKey)), ("$public", created.PublicKey), ("$created", created.CreatedAt.ToUnixTimeMilliseconds()));
            await insert.ExecuteNonQueryAsync(cancellationToken);
            using var select = connection.Command(transaction, "SELECT private_key, public_key, created_at FROM vapid_key WHERE id = 1");
            return (await select.FirstOrDefaultAsync(reader => new VapidKey(secrets.OpenVapidKey((byte[])reader[0]), (byte[])reader[1], reader.GetTime(2)), cancellationToken))!;
        }, cancellationToken);

    public Task<PushSubscription> SaveSubscriptionAsync(PushSubscription subscription, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            using var upsert = connection.Command(transaction, """
                INSERT INTO push_subscriptions (project_id, id, endpoint, p256dh, auth, created_at) VALUES ($project, $id, $endpoint, $p256dh, $auth, $created)
                ON CONFLICT (project_id, endpoint) DO UPDATE SET p256dh = excluded.p256dh, auth = excluded.auth
                RETURNING id, project_id, endpoint, p256dh, auth, created_at
                """);
            upsert.Set(("$project", subscription.ProjectId), ("$id", subscription.Id), ("$endpoint", subscription.Endpoint),
                ("$p256dh", subscription.P256dh), ("$auth", subscription.Auth), ("$created", subscription.CreatedAt.ToUnixTimeMilliseconds()));
            return (await ReadSubscriptionsAsync(upsert, cancellationToken)).Single();
        }, cancellationToken);

    public async Task<IReadOnlyList<PushSubscription>> SubscriptionsAsync(string projectId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var select = connection.Command(null,
            "SELECT id, project_id, endpoint, p256dh, auth, created_at FROM push_subscriptions WHERE project_id = $project ORDER BY created_at, id");
        select.Set(("$project", projectId));
        return await ReadSubscriptionsAsync(select, cancellationToken);
    }

    public async Task<PushSubscription?> GetSubscriptionAsync(string projectId, string subscriptionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var select = connection.Command(null,
            "SELECT id, project_id, endpoint, p256dh, auth, created_at FROM push_subscriptions WHERE project_id = $project AND id = $id");
        select.Set(("$project", projectId), ("$id", subscriptionId));
        return (await ReadSubscriptionsAsync(select, cancellationToken)).SingleOrDefault();
    }

    public async Task<bool> DeleteSubscriptionAsync(string projectId, string subscriptionId, CancellationToken cancellationToken) =>
        await database.ExecuteAsync("DELETE FROM push_subscriptions WHERE project_id = $project AND id = $id", cancellationToken,
            ("$project", projectId), ("$id", subscriptionId)) == 1;

    public Task DeleteSubscriptionsByEndpointAsync(string endpoint, CancellationToken cancellationToken) =>
        database.ExecuteAsync("DELETE FROM push_subscriptions WHERE endpoint = $endpoint", cancellationToken, ("$endpoint", endpoint));

    private const string DeliveryColumns =
        "id, project_id, channel_id, source_id, message, status, attempts, next_attempt_at, created_at, updated_at, last_error, last_status";

    public Task AddDeliveriesAsync(IReadOnlyList<Delivery> deliveries, CancellationToken cancellationToken) =>
        deliveries.Count == 0 ? Task.CompletedTask : database.WriteAsync(async (connection, transaction) =>
        {
            using var insert = connection.Command(transaction, $"""
                INSERT INTO deliveries ({DeliveryColumns}) VALUES ($id, $project, $channel, $source, $message, $status, $attempts, $next, $created, $updated, $error, $code)
                ON CONFLICT (id) DO NOTHING
                """);
            foreach (var delivery in deliveries)
            {
                BindDelivery(insert, delivery);
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
        }, cancellationToken);

    public Task AddOrJoinAsync(IReadOnlyList<Delivery> deliveries, string sourcePrefix, DateTimeOffset now, Func<NotificationMessage, NotificationMessage?> join, CancellationToken cancellationToken) =>
        deliveries.Count == 0 ? Task.CompletedTask : database.WriteAsync(async (connection, transaction) =>
        {
            foreach (var delivery in deliveries)
            {
                // A margin before it is due: the dispatcher never claims a delivery while it is being joined.
                using var find = connection.Command(transaction, $"""
                    SELECT {DeliveryColumns} FROM deliveries
                    WHERE channel_id = $channel AND status = 'pending' AND attempts = 0 AND next_attempt_at > $soon AND substr(source_id, 1, length($prefix)) = $prefix
                    ORDER BY created_at LIMIT 1
                    """);
                find.Set(("$channel", delivery.ChannelId), ("$soon", (now + TimeSpan.FromSeconds(1)).ToUnixTimeMilliseconds()), ("$prefix", sourcePrefix));
                var pending = (await ReadDeliveriesAsync(find, cancellationToken)).FirstOrDefault();
                if (pending is null)
                {
                    using var insert = connection.Command(transaction, $"""
                        INSERT INTO deliveries ({DeliveryColumns}) VALUES ($id, $project, $channel, $source, $message, $status, $attempts, $next, $created, $updated, $error, $code)
                        ON CONFLICT (id) DO NOTHING
                        """);
                    BindDelivery(insert, delivery);
                    await insert.ExecuteNonQueryAsync(cancellationToken);
                }
                else if (join(pending.Message) is { } joined)
                {
                    await connection.ExecuteAsync(transaction, "UPDATE deliveries SET message = $message, updated_at = $updated WHERE id = $id", cancellationToken,
                        ("$id", pending.Id), ("$message", DeliveryJson.Write(joined)), ("$updated", now.ToUnixTimeMilliseconds()));
                }
            }
        }, cancellationToken);

    public async Task<IReadOnlyList<Delivery>> ClaimDueAsync(DateTimeOffset now, TimeSpan lease, int limit, CancellationToken cancellationToken) =>
        await database.WriteAsync(async (connection, transaction) =>
        {
            using var claim = connection.Command(transaction, $"""
                UPDATE deliveries SET claimed_until = $until
                WHERE id IN (SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= $now
                             AND (claimed_until IS NULL OR claimed_until <= $now) ORDER BY next_attempt_at LIMIT $limit)
                RETURNING {DeliveryColumns}
                """);
            claim.Set(("$now", now.ToUnixTimeMilliseconds()), ("$until", (now + lease).ToUnixTimeMilliseconds()), ("$limit", limit));
            return await ReadDeliveriesAsync(claim, cancellationToken);
        }, cancellationToken);

    public Task RecordAttemptsAsync(IReadOnlyList<Delivery> deliveries, CancellationToken cancellationToken) =>
        deliveries.Count == 0 ? Task.CompletedTask : database.WriteAsync(async (connection, transaction) =>
        {
            using var update = connection.Command(transaction, """
                UPDATE deliveries SET status = $status, attempts = $attempts, next_attempt_at = $next, updated_at = $updated,
                                      last_error = $error, last_status = $code, remote_id = $remote, claimed_until = NULL
                WHERE id = $id
                """);
            foreach (var delivery in deliveries)
            {
                BindDelivery(update, delivery);
                update.Set(("$remote", delivery.RemoteId));
                await update.ExecuteNonQueryAsync(cancellationToken);
            }
        }, cancellationToken);

    public async Task<string?> RemoteIdAsync(string deliveryId, CancellationToken cancellationToken) =>
        await database.ScalarAsync("SELECT remote_id FROM deliveries WHERE id = $id AND status = 'succeeded'", cancellationToken, ("$id", deliveryId)) as string;

    public async Task<DeliveryPage> ListDeliveriesAsync(string projectId, string? channelId, string? status, int limit, string? cursor, CancellationToken cancellationToken)
    {
        var where = "project_id = $project";
        if (channelId is not null)
        {
            where += " AND channel_id = $channel";
        }

        if (status is not null)
        {
            where += " AND status = $status";
        }

        var after = DeliveryCursor.TryDecode(cursor, out var afterMs, out var afterId);
        if (after)
        {
            where += " AND (created_at < $afterMs OR (created_at = $afterMs AND id < $afterId))";
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        using var select = connection.Command(null, $"SELECT {DeliveryColumns} FROM deliveries WHERE {where} ORDER BY created_at DESC, id DESC LIMIT $limit");
        select.Set(("$project", projectId), ("$channel", channelId), ("$status", status), ("$afterMs", afterMs), ("$afterId", afterId), ("$limit", limit + 1));
        return DeliveryCursor.Page(await ReadDeliveriesAsync(select, cancellationToken), limit);
    }

    private const string RunColumns = "id, project_id, event_id, action_key, status, exclusive, pressed_by, created_at, updated_at, status_code, error";

    public Task<bool> TryStartRunAsync(ActionRun run, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            using var insert = connection.Command(transaction, $"""
                INSERT INTO action_runs ({RunColumns}) VALUES ($id, $project, $event, $key, $status, $exclusive, $by, $created, $updated, $code, $error)
                ON CONFLICT DO NOTHING
                """);
            BindRun(insert, run);
            return await insert.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    public Task FinishRunAsync(ActionRun run, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            using var update = connection.Command(transaction,
                "UPDATE action_runs SET status = $status, updated_at = $updated, status_code = $code, error = $error WHERE id = $id");
            BindRun(update, run);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public async Task<IReadOnlyList<ActionRun>> RunsAsync(string projectId, string eventId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var select = connection.Command(null, $"SELECT {RunColumns} FROM action_runs WHERE project_id = $project AND event_id = $event ORDER BY created_at DESC, id DESC");
        select.Set(("$project", projectId), ("$event", eventId));
        return await select.ListAsync(reader => new ActionRun(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
            reader.GetBoolean(5), reader.GetString(6), reader.GetTime(7), reader.GetTime(8), reader.IsDBNull(9) ? null : reader.GetInt32(9), reader.GetStringOrNull(10)),
            cancellationToken);
    }

    public Task<string> GetOrAddActionSecretAsync(string projectId, string created, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            using var upsert = connection.Command(transaction, """
                INSERT INTO action_secrets (project_id, secret) VALUES ($project, $secret) ON CONFLICT DO NOTHING;
                SELECT secret FROM action_secrets WHERE project_id = $project;
                """);
            upsert.Set(("$project", projectId), ("$secret", secrets.SealActionSecret(projectId, created)));
            return secrets.OpenActionSecret(projectId, (string)(await upsert.ExecuteScalarAsync(cancellationToken))!);
        }, cancellationToken);

    public async Task<NotificationSettings?> GetSettingsAsync(string projectId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var select = connection.Command(null, "SELECT notify_test_events FROM notification_settings WHERE project_id = $project");
        select.Set(("$project", projectId));
        return await select.ExecuteScalarAsync(cancellationToken) is long notify ? new NotificationSettings(notify != 0) : null;
    }

    public Task SetSettingsAsync(string projectId, NotificationSettings settings, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            using var upsert = connection.Command(transaction, """
                INSERT INTO notification_settings (project_id, notify_test_events) VALUES ($project, $notify)
                ON CONFLICT (project_id) DO UPDATE SET notify_test_events = excluded.notify_test_events
                """);
            upsert.Set(("$project", projectId), ("$notify", settings.NotifyTestEvents));
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    private static void BindRun(SqliteCommand command, ActionRun run) => command.Set(
        ("$id", run.Id), ("$project", run.ProjectId), ("$event", run.EventId), ("$key", run.ActionKey), ("$status", run.Status), ("$exclusive", run.Exclusive),
        ("$by", run.PressedBy), ("$created", run.CreatedAt.ToUnixTimeMilliseconds()), ("$updated", run.UpdatedAt.ToUnixTimeMilliseconds()),
        ("$code", run.StatusCode), ("$error", run.Error));

    private static void BindDelivery(SqliteCommand command, Delivery d) => command.Set(
        ("$id", d.Id), ("$project", d.ProjectId), ("$channel", d.ChannelId), ("$source", d.SourceId), ("$message", DeliveryJson.Write(d.Message)),
        ("$status", d.Status), ("$attempts", d.Attempts), ("$next", d.NextAttemptAt.ToUnixTimeMilliseconds()), ("$created", d.CreatedAt.ToUnixTimeMilliseconds()),
        ("$updated", d.UpdatedAt.ToUnixTimeMilliseconds()), ("$error", d.LastError), ("$code", d.LastStatusCode));

    private static Task<List<Delivery>> ReadDeliveriesAsync(SqliteCommand command, CancellationToken cancellationToken) =>
        command.ListAsync(reader => new Delivery(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), DeliveryJson.Read(reader.GetString(4)),
            reader.GetString(5), reader.GetInt32(6), reader.GetTime(7), reader.GetTime(8), reader.GetTime(9), reader.GetStringOrNull(10),
            reader.IsDBNull(11) ? null : reader.GetInt32(11)), cancellationToken);

    private static Task<List<PushSubscription>> ReadSubscriptionsAsync(SqliteCommand command, CancellationToken cancellationToken) =>
        command.ListAsync(reader => new PushSubscription(reader.GetString(0), reader.GetString(1), reader.GetString(2), (byte[])reader[3], (byte[])reader[4], reader.GetTime(5)),
            cancellationToken);

    private async Task<IReadOnlyList<Channel>> ReadAsync(string where, CancellationToken cancellationToken, params (string, object?)[] parameters) =>
        await database.QueryAsync($"SELECT id, project_id, definition, created_at, updated_at FROM channels {where}",
            reader => new Channel(reader.GetString(0), reader.GetString(1), secrets.ReadChannel(reader.GetString(1), reader.GetString(0), reader.GetString(2)), reader.GetTime(3), reader.GetTime(4)),
            cancellationToken, parameters);
}
