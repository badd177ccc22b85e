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
root.Subcommands.Add(ImportCommand.Create());
root.Subcommands.Add(LoginCommand.Create());
root.Subcommands.Add(LoginCommand.CreateLogout());
root.Subcommands.Add(CompletionCommand.Create());
return await root.Parse(args).InvokeAsync();
