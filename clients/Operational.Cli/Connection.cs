using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Operational.Client;

namespace Operational.Cli;

/// <summary>Where ops connects, and with which key.</summary>
/// <param name="Url">The gateway's address.</param>
/// <param name="Key">A project key (null when none is configured).</param>
/// <param name="PingKey">A key with the ping scope, for job checks by slug.</param>
internal sealed record Endpoint(Uri Url, string? Key, string? PingKey)
{
    /// <summary>The SDK's options; without a key only pings work (they carry none: the URL is the secret).</summary>
    public OperationalClientOptions ClientOptions(TimeSpan requestTimeout) =>
        new() { BaseAddress = Url, ApiKey = Key ?? "none", RequestTimeout = requestTimeout, ShutdownTimeout = requestTimeout };
}

/// <summary>
/// Each setting from, first to last: <c>--url</c>/<c>--key</c>, <c>OPERATIONAL_URL</c>/<c>OPERATIONAL_KEY</c>
/// (<c>OPERATIONAL_PING_KEY</c>), the file <c>ops login</c> writes.
/// </summary>
internal static class Connection
{
    public static readonly Option<string?> Url = new("--url") { Description = "The gateway's address (default: $OPERATIONAL_URL, then ops login's)" };

    public static readonly Option<string?> Key = new("--key") { Description = "A project key (default: $OPERATIONAL_KEY, then ops login's)" };

    public static void AddTo(Command command)
    {
        command.Options.Add(Url);
        command.Options.Add(Key);
    }

    /// <summary><c>$XDG_CONFIG_HOME/operational/config.json</c>, else <c>~/.config/operational/config.json</c>.</summary>
    public static string ConfigPath
    {
        get
        {
            var root = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
            return Path.Combine(root, "operational", "config.json");
        }
    }

    /// <summary>The endpoint, or null after saying on stderr what is missing.</summary>
    /// <param name="parse">The command line.</param>
    /// <param name="keyRequired">False for what needs only the address (a ping by check UUID).</param>
    public static Endpoint? Resolve(ParseResult parse, bool keyRequired = true)
    {
        var saved = ReadSaved();
        var url = First(parse.GetValue(Url), Environment.GetEnvironmentVariable("OPERATIONAL_URL"), Text(saved, "url"));
        var key = First(parse.GetValue(Key), Environment.GetEnvironmentVariable("OPERATIONAL_KEY"), Text(saved, "key"));
        var pingKey = First(null, Environment.GetEnvironmentVariable("OPERATIONAL_PING_KEY"), Text(saved, "pingKey"));
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
        {
            Console.Error.WriteLine(url is null
                ? "ops: no server: pass --url and --key, set OPERATIONAL_URL and OPERATIONAL_KEY, or run ops login."
                : $"ops: '{url}' is not an http(s) address.");
            return null;
        }

        if (keyRequired && key is null)
        {
            Console.Error.WriteLine("ops: no key: pass --key, set OPERATIONAL_KEY, or run ops login.");
            return null;
        }

        return new Endpoint(address, key, pingKey);
    }

    /// <summary>Writes the file readable by its owner only (0600, in a 0700 folder): it holds keys.</summary>
    public static async Task SaveAsync(Uri url, string key, string? pingKey, CancellationToken cancellationToken)
    {
        var path = ConfigPath;
        var folder = Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var body = new JsonObject { ["url"] = url.ToString().TrimEnd('/'), ["key"] = key };
        if (pingKey is not null)
        {
            body["pingKey"] = pingKey;
        }

        // Written aside and moved into place, created 0600: never a moment where another user could read it.
        var temporary = path + ".tmp";
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var file = new FileStream(temporary, options))
        {
            await JsonSerializer.SerializeAsync(file, body, new JsonSerializerOptions { WriteIndented = true }, cancellationToken);
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static JsonNode? ReadSaved()
    {
        try
        {
            return File.Exists(ConfigPath) ? JsonNode.Parse(File.ReadAllText(ConfigPath)) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException)
        {
            Console.Error.WriteLine($"ops: ignoring {ConfigPath}: {e.Message}");
            return null;
        }
    }

    private static string? Text(JsonNode? saved, string name) => saved?[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static string? First(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
}
