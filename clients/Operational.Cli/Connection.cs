using System.CommandLine;
using Operational.Client;

namespace Operational.Cli;

/// <summary>Where <c>ops</c> sends: <c>--url</c>/<c>--key</c>, else <c>OPERATIONAL_URL</c>/<c>OPERATIONAL_KEY</c>.</summary>
internal static class Connection
{
    public static readonly Option<string?> Url = new("--url") { Description = "The gateway's address (default: $OPERATIONAL_URL)" };

    public static readonly Option<string?> Key = new("--key") { Description = "A project key with the ingest scope (default: $OPERATIONAL_KEY)" };

    public static void AddTo(Command command)
    {
        command.Options.Add(Url);
        command.Options.Add(Key);
    }

    /// <summary>The client options, or null after saying on stderr what is missing.</summary>
    public static OperationalClientOptions? Options(ParseResult parse, TimeSpan requestTimeout)
    {
        var url = parse.GetValue(Url) ?? Environment.GetEnvironmentVariable("OPERATIONAL_URL");
        var key = parse.GetValue(Key) ?? Environment.GetEnvironmentVariable("OPERATIONAL_KEY");
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url, UriKind.Absolute, out var address) || string.IsNullOrWhiteSpace(key))
        {
            Console.Error.WriteLine("ops: set --url and --key (or OPERATIONAL_URL and OPERATIONAL_KEY): the gateway's address and a project key with the ingest scope.");
            return null;
        }

        return new OperationalClientOptions { BaseAddress = address, ApiKey = key, RequestTimeout = requestTimeout, ShutdownTimeout = requestTimeout };
    }
}
