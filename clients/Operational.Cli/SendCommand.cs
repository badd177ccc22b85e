using System.CommandLine;
using System.Text.Json.Nodes;
using Operational.Client;

namespace Operational.Cli;

/// <summary><c>ops send &lt;name&gt; [--category c] [--tag k=v]… [--notify] [--content text|@file|-]</c>: one event, now.</summary>
internal static class SendCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "What happened, e.g. \"deploy finished\"" };
        var category = new Option<string?>("--category") { Description = "The event's category" };
        var tags = new Option<string[]>("--tag") { Description = "key=value, repeatable", AllowMultipleArgumentsPerToken = false };
        var notify = new Option<bool>("--notify") { Description = "Ask for a push notification" };
        var content = new Option<string?>("--content") { Description = "Text, @file for a file's text, or - for standard input" };
        var send = new Command("send", "Send one event");
        send.Arguments.Add(name);
        send.Options.Add(category);
        send.Options.Add(tags);
        send.Options.Add(notify);
        send.Options.Add(content);
        Connection.AddTo(send);
        send.SetAction(async (parse, cancellationToken) =>
        {
            if (Connection.Resolve(parse) is not { } endpoint)
            {
                return 2;
            }

            var tagValues = new Dictionary<string, JsonNode?>();
            foreach (var tag in parse.GetValue(tags) ?? [])
            {
                var at = tag.IndexOf('=');
                if (at < 1)
                {
                    Console.Error.WriteLine($"ops: --tag {tag}: write key=value");
                    return 2;
                }

                tagValues[tag[..at]] = tag[(at + 1)..];
            }

            var text = parse.GetValue(content) switch
            {
                null => null,
                "-" => await Console.In.ReadToEndAsync(cancellationToken),
                ['@', .. var path] => await File.ReadAllTextAsync(path, cancellationToken),
                var literal => literal,
            };
            await using var client = new OperationalClient(endpoint.ClientOptions(TimeSpan.FromSeconds(10)));
            var result = await client.SendAsync(new OperationalEvent(parse.GetValue(name)!)
            {
                Category = parse.GetValue(category),
                Notify = parse.GetValue(notify) ? true : null,
                Tags = tagValues.Count == 0 ? null : tagValues,
                Content = text is null ? null : JsonValue.Create(text),
            }, waitForDelivery: true, cancellationToken);
            if (!result.Accepted)
            {
                Console.Error.WriteLine($"ops: not sent ({(result.Status == 0 ? result.Error : $"{result.Status}: {result.Error}")})");
                return 1;
            }

            Console.WriteLine(result.Id);
            return 0;
        });
        return send;
    }
}
