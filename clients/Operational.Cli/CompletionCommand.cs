using System.CommandLine;

namespace Operational.Cli;

/// <summary>
/// <c>ops completion bash|zsh|fish</c>: a script that asks ops itself (its <c>[suggest]</c> directive)
/// what may come next, so completions always match the installed version.
/// </summary>
internal static class CompletionCommand
{
    public static Command Create()
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh or fish" };
        shell.AcceptOnlyFromAmong("bash", "zsh", "fish");
        var completion = new Command("completion", "Print a shell's completion script, e.g. in ~/.bashrc: source <(ops completion bash)");
        completion.Arguments.Add(shell);
        completion.SetAction(parse =>
        {
            Console.Write(parse.GetValue(shell) switch
            {
                "bash" => """
                    _ops_complete() {
                        local IFS=$'\n'
                        COMPREPLY=($(ops "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null))
                    }
                    complete -o default -F _ops_complete ops

                    """,
                "zsh" => """
                    _ops_complete() {
                        local -a completions
                        completions=("${(@f)$(ops "[suggest:${#BUFFER}]" "$BUFFER" 2>/dev/null)}")
                        compadd -a completions
                    }
                    compdef _ops_complete ops

                    """,
                _ => """
                    complete -c ops -f -a '(ops "[suggest:"(string length -- (commandline -cp))"]" (commandline -cp) 2>/dev/null)'

                    """,
            });
            return 0;
        });
        return completion;
    }
}
