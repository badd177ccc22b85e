using System.Text.Json.Nodes;

namespace Operational.Client;

/// <summary>
/// One flow as a context (a cron run, an import): its start is sent when it is made, its steps with
/// <see cref="Log"/>, and its end when it is disposed — failed when <see cref="Fail"/> was called
/// (or <see cref="Failed"/> set), completed otherwise. Everything goes through the client's
/// background sender, so a context never throws into the app either.
/// </summary>
public sealed class OperationalContext : IAsyncDisposable
{
    private readonly IOperationalClient _client;
    private readonly string _name;
    private readonly string? _avatar;
    private readonly string? _category;
    private Exception? _failure;
    private string? _failureText;
    private bool _ended;

    internal OperationalContext(IOperationalClient client, string name, string? avatar, string? category, string? contextId)
    {
        _client = client;
        _name = name;
        _avatar = avatar;
        _category = category;
        ContextId = contextId ?? Guid.CreateVersion7().ToString();
        client.Send(new OperationalEvent(name) { Avatar = avatar, Category = category, ContextId = ContextId, ContextStart = true });
    }

    /// <summary>The id linking the context's events.</summary>
    public string ContextId { get; }

    /// <summary>Whether the context will end as failed.</summary>
    public bool Failed => _failure is not null || _failureText is not null;

    /// <summary>A step of the flow, as an event in the context.</summary>
    public void Log(string name, string? content = null, string? level = null) =>
        _client.Send(new OperationalEvent(name) { Category = _category, ContextId = ContextId, Level = level, Content = content is null ? null : JsonValue.Create(content) });

    /// <summary>The flow failed: its end is sent at level error with the exception (or the text).</summary>
    public void Fail(Exception? exception = null, string? text = null)
    {
        _failure = exception;
        _failureText = text ?? exception?.Message ?? "failed";
    }

    /// <summary>Sends the end: completed, or failed after <see cref="Fail"/>.</summary>
    public ValueTask DisposeAsync()
    {
        if (!_ended)
        {
            _ended = true;
            _client.Send(new OperationalEvent(Failed ? $"{_name} failed" : $"{_name} completed")
            {
                Avatar = Failed ? "❌" : _avatar,
                Category = _category,
                ContextId = ContextId,
                ContextEnd = true,
                Level = Failed ? "error" : "success",
                Content = Failed ? JsonValue.Create(_failure?.ToString() ?? _failureText) : null,
            });
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>Contexts and job-check pings on any <see cref="IOperationalClient"/>.</summary>
public static class OperationalClientExtensions
{
    /// <summary>
    /// Starts a context: <c>await using var run = ops.StartContext("nightly backup", avatar: "💾");</c>
    /// then <c>run.Log(…)</c>, and <c>run.Fail(ex)</c> in a catch; disposing sends the end.
    /// </summary>
    public static OperationalContext StartContext(this IOperationalClient client, string name, string? avatar = null, string? category = null, string? contextId = null) =>
        new(client, name, avatar, category, contextId);
}
