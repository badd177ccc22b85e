using System.CommandLine;
using Spectre.Console;

namespace Operational.Cli;

/// <summary><c>ops login</c> and <c>ops logout</c>: the address and key kept for the next commands.</summary>
internal static class LoginCommand
{
    public static Command Create()
    {
        var url = new Option<string?>("--url") { Description = "The gateway's address (asked for when not given)" };
        var key = new Option<string?>("--key") { Description = "A project key (asked for, unechoed, when not given)" };
        var pingKey = new Option<string?>("--ping-key") { Description = "A key with the ping scope: ops run <check-slug> pings that check" };
        var login = new Command("login", $"Check an address and key, and keep them for later commands ({Connection.ConfigPath}, readable by you only)");
        login.Options.Add(url);
        login.Options.Add(key);
        login.Options.Add(pingKey);
        login.SetAction(async (parse, cancellationToken) =>
        {
            var interactive = !Console.IsInputRedirected;
            var urlText = parse.GetValue(url) ?? (interactive ? AnsiConsole.Prompt(new TextPrompt<string>("Gateway address:")) : null);
            var keyText = parse.GetValue(key) ?? (interactive ? AnsiConsole.Prompt(new TextPrompt<string>("Key:").Secret()) : null);
            if (urlText is null || keyText is null)
            {
                Console.Error.WriteLine("ops: pass --url and --key (there is no terminal to ask on).");
                return 2;
            }

            if (!Uri.TryCreate(urlText.Trim(), UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
            {
                Console.Error.WriteLine($"ops: '{urlText}' is not an http(s) address.");
                return 2;
            }

            // One harmless read proves the address and the key: 403 is a good key without read (an ingest key).
            using var api = new Api(new Endpoint(address, keyText.Trim(), null));
            string scope;
            try
            {
                await api.GetAsync("/v1/events?limit=1", cancellationToken);
                scope = "it can read";
            }
            catch (ApiException e) when (e.Status == 403)
            {
                scope = "it cannot read: ops events, tail, alerts and the other lists will be refused";
            }
            catch (ApiException e)
            {
                Console.Error.WriteLine(e.Status == 401 ? "ops: the server does not accept this key; nothing saved." : $"ops: {e.Message}; nothing saved.");
                return 1;
            }

            await Connection.SaveAsync(address, keyText.Trim(), parse.GetValue(pingKey)?.Trim(), cancellationToken);
            Console.WriteLine($"Logged in to {address} ({scope}). Saved in {Connection.ConfigPath}.");
            return 0;
        });
        return login;
    }

    public static Command CreateLogout()
    {
        var logout = new Command("logout", $"Forget the address and key ops login kept ({Connection.ConfigPath})");
        logout.SetAction(_ =>
        {
            var existed = File.Exists(Connection.ConfigPath);
            File.Delete(Connection.ConfigPath);
            Console.WriteLine(existed ? $"Removed {Connection.ConfigPath}." : "Not logged in.");
            return 0;
        });
        return logout;
    }
}
