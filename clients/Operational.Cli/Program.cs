using System.CommandLine;
using Operational.Cli;

var root = new RootCommand("Operational from a terminal: wrap a job as a context, send an event.");
root.Subcommands.Add(RunCommand.Create());
root.Subcommands.Add(SendCommand.Create());
root.Subcommands.Add(TailCommand.Create());
return await root.Parse(args).InvokeAsync();
