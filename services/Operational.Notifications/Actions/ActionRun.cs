using Operational.ServiceDefaults.Storage;

namespace Operational.Notifications.Actions;

public static class ActionRunStatus
{
    /// <summary>The call to the action's URL is under way.</summary>
    public const string Pending = "pending";

    /// <summary>The action's URL answered 2xx.</summary>
    public const string Done = "done";

    /// <summary>The call failed; the button may be pressed again.</summary>
    public const string Failed = "failed";
}

/// <summary>One press of an event's action button and what came of it.</summary>
/// <param name="Exclusive">The action may not be repeated: at most one pending or done run of it exists.</param>
/// <param name="PressedBy">The API key (or, later, the operator) that pressed it.</param>
public sealed record ActionRun(
    string Id,
    string ProjectId,
    string EventId,
    string ActionKey,
    string Status,
    bool Exclusive,
    string PressedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int? StatusCode = null,
    string? Error = null);

/// <summary>Action runs and the projects' action signing secrets; the notifications store implements it.</summary>
public interface IActionStore
{
    /// <summary>
    /// Records a new pending run. For an exclusive run, false (and nothing stored) when a pending
    /// or done run of the same event's action exists: two presses at once cannot both call.
    /// </summary>
    Task<bool> TryStartRunAsync(ActionRun run, CancellationToken cancellationToken);

    /// <summary>Records how the run ended.</summary>
    Task FinishRunAsync(ActionRun run, CancellationToken cancellationToken);

    /// <summary>The event's runs, newest first.</summary>
    Task<IReadOnlyList<ActionRun>> RunsAsync(string projectId, string eventId, CancellationToken cancellationToken);

    /// <summary>The project's action signing secret, or <paramref name="created"/> stored now if it had none (the first stored wins).</summary>
    Task<string> GetOrAddActionSecretAsync(string projectId, string created, CancellationToken cancellationToken);
}
