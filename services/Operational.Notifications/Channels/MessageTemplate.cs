using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Operational.Contracts.Api;
using Operational.Notifications.Deliveries;
using Operational.ServiceDefaults.Validation;

namespace Operational.Notifications.Channels;

/// <summary>
/// A channel's own wording of its messages: <c>{{name}}</c> placeholders in a title and a body, and
/// nothing else — no conditions, loops, partials or code, so a template can neither fail at send
/// time nor do anything but fill in text. The names are a closed set (checked when the channel is
/// saved): the message's own <c>title</c>, <c>body</c>, <c>level</c>, <c>url</c> and <c>type</c>,
/// and what its data holds under <c>alert.</c> (an alert's snapshot), <c>evidence.</c> (the
/// alert's evidence) and <c>event.</c> (a notified event). A name whose value the message lacks
/// is left empty.
/// </summary>
public static partial class MessageTemplate
{
    public const int MaxLength = 2000;

    /// <summary>The single names; the prefixed ones take any path below them, e.g. <c>evidence.count</c>.</summary>
    public static readonly IReadOnlyList<string> Names = ["title", "body", "level", "url", "type"];

    public static readonly IReadOnlyList<string> Prefixes = ["alert.", "evidence.", "event."];

    /// <summary>Problems with a template as written, under <paramref name="field"/>.</summary>
    public static void Validate(string? template, string field, FieldErrors errors)
    {
        if (template is null)
        {
            return;
        }

        if (template.Length > MaxLength)
        {
            errors.Add(field, $"may be at most {MaxLength} characters");
            return;
        }

        var rest = Placeholder().Replace(template, "");
        if (rest.Contains("{{", StringComparison.Ordinal) || rest.Contains("}}", StringComparison.Ordinal))
        {
            errors.Add(field, "has a {{ or }} that is not a placeholder: write {{name}} with a name of letters and dots, e.g. {{alert.ruleName}}");
        }

        foreach (Match placeholder in Placeholder().Matches(template))
        {
            var name = placeholder.Groups[1].Value;
            if (!Names.Contains(name) && !Prefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal) && name.Length > p.Length))
            {
                errors.Add(field, $"names {{{{{name}}}}}, which is not known: use {string.Join(", ", Names)}, or alert.…, evidence.…, event.… (e.g. {{{{alert.ruleName}}}}, {{{{evidence.count}}}}, {{{{event.name}}}})");
            }
        }
    }

    /// <summary>The message as the channel's template words it (the message itself without one).</summary>
    public static NotificationMessage Apply(MessageTemplateSettings? template, NotificationMessage message) =>
        template is null ? message : message with
        {
            Title = template.Title is { } title ? Render(title, message) : message.Title,
            Body = template.Body is { } body ? Render(body, message) : message.Body,
        };

    public static string Render(string template, NotificationMessage message) =>
        Placeholder().Replace(template, match => ValueOf(match.Groups[1].Value, message) ?? "");

    private static string? ValueOf(string name, NotificationMessage message)
    {
        switch (name)
        {
            case "title": return message.Title;
            case "body": return message.Body;
            case "level": return message.Level;
            case "url": return message.Url;
            case "type": return message.Type;
        }

        if ((message.Fields ?? message.Data) is not { ValueKind: JsonValueKind.Object } data)
        {
            return null;
        }

        var isAlert = message.Type.StartsWith("alert.", StringComparison.Ordinal);
        var (root, path) = name.IndexOf('.') is var dot and > 0 ? (name[..dot], name[(dot + 1)..]) : (name, "");
        var start = (root, isAlert) switch
        {
            ("alert", true) => data,
            ("evidence", true) => data.TryGetProperty("evidence", out var evidence) ? evidence : default,
            ("event", false) => data,
            _ => default,
        };
        if (root == "alert" && path == "summary" && isAlert)
        {
            path = "evidence.summary"; // the name people expect for an alert's one sentence
            start = data;
        }

        return Walk(start, path);
    }

    private static string? Walk(JsonElement element, string path)
    {
        foreach (var part in path.Split('.'))
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(part, out element))
            {
                return null;
            }
        }

        return element.ValueKind switch
        {
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            _ => element.GetRawText(),
        };
    }

    [GeneratedRegex(@"\{\{\s*([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)*)\s*\}\}")]
    private static partial Regex Placeholder();
}
