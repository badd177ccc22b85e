using System.CommandLine;
using Operational.Cli;

var root = new RootCommand("Operational from a terminal: wrap jobs, send and follow events, list and take alerts.");
root.Subcommands.Add(RunCommand.Create());
root.Subcommands.Add(SendCommand.Create());
root.Subcommands.Add(TailCommand.Create());
root.Subcommands.Add(EventsCommand.Create());
root.Subcommands.Add(ContextsCommand.Create());
root.Subcommands.Add(AlertsCommand.Create());
root.Subcommands.Add(ChecksCommand.Create());
root.Subcommands.Add(ChecksCommand.CreateRules());
root.Subcommands.Add(UsersCommand.Create());
root.Subcommands.Add(UsersCommand.CreateInsights());
root.Subcommands.Add(MetricsCommand.Create());
root.Subcommands.Add(ImportCommand.Create());
root.Subcommands.Add(LoginCommand.Create());
root.Subcommands.Add(LoginCommand.CreateLogout());
root.Subcommands.Add(CompletionCommand.Create());
var parsed = root.Parse(args);
var status = await parsed.InvokeAsync();
// System.CommandLine answers a usage error (printed with the help) with 1; ops keeps 1 for refusals.
return parsed.Errors.Count > 0 ? 2 : status;
