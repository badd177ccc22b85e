namespace Operational.ServiceDefaults.Validation;

/// <summary>
/// What is wrong with a request, by the path of each field (<c>name</c>, <c>volume.schedule.timeZone</c>,
/// <c>actions[0].url</c>): every validator records its findings here, all of them at once, so a
/// client fixes a request in one go, and <see cref="Problems.ApiProblems.Validation(FieldErrors)"/> answers them.
/// </summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);

    public int Count => _errors.Count;

    public bool IsEmpty => _errors.Count == 0;

    /// <summary>Adds a problem with <paramref name="field"/>; a field may have several.</summary>
    public void Add(string field, string message) =>
        _errors[field] = _errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];

    public bool Has(string field) => _errors.ContainsKey(field);

    /// <summary>Reports <paramref name="from"/>'s problems under <paramref name="to"/>: a shared check run for a field the request names otherwise.</summary>
    public void Rename(string from, string to)
    {
        if (_errors.Remove(from, out var messages))
        {
            foreach (var message in messages)
            {
                Add(to, message);
            }
        }
    }

    /// <summary>Field → its problems, as RFC 9457 validation problems carry them.</summary>
    public IDictionary<string, string[]> ToDictionary() => new Dictionary<string, string[]>(_errors, StringComparer.Ordinal);

    /// <summary>One field and one problem.</summary>
    public static FieldErrors Of(string field, string message)
    {
        var errors = new FieldErrors();
        errors.Add(field, message);
        return errors;
    }

    /// <summary>"field: problem; field: problem", for logs and problem details.</summary>
    public override string ToString() => string.Join("; ", _errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"));
}
