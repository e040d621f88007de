package dev.greenlight.cli;

import java.io.PrintWriter;
import java.util.Set;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Greenlight's command line: the actions people type and script, as calls of a running Greenlight's API. It starts
 * no Camel and opens no database; all it needs is the service's URL and a token.
 */
@Command(name = "greenlight", mixinStandardHelpOptions = true, versionProvider = GreenlightCli.Version.class,
        description = {"Drive a running Greenlight through its API.",
                "The service is $GREENLIGHT_URL (or --url; default " + ServiceOptions.DEFAULT_URL + "), the token "
                        + "$GREENLIGHT_TOKEN (or --token-file FILE): never an argument, so it stays out of the shell's "
                        + "history and the process list."},
        subcommands = {DeployCommand.class, StatusCommand.class, ShowCommand.class, RollbackCommand.class,
                CancelCommand.class, ApproveCommand.class, RejectCommand.class, PromoteCommand.class,
                AuditCommand.class, CommandLine.HelpCommand.class})
public final class GreenlightCli implements Runnable {
    private final UnaryOperator<String> environment;

    @Spec
    CommandSpec spec;

    public GreenlightCli(UnaryOperator<String> environment) {
        this.environment = environment;
    }

    /** What the commands read of the process environment: the process's own, or what a test gives. */
    UnaryOperator<String> environment() {
        return environment;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a command is missing");
    }

    /**
     * The command line with its exit codes: usage errors 2 (picocli's own handling), a failure the one it carries,
     * anything unexpected {@link Exit#INTERNAL} with one line, never a stack trace.
     */
    public static CommandLine commandLine(UnaryOperator<String> environment) {
        CommandLine cli = new CommandLine(new GreenlightCli(environment));
        cli.setExecutionExceptionHandler((e, command, parseResult) -> {
            PrintWriter err = command.getErr();
            if (e instanceof CliFailure failure) {
                if (failure.apiBody() != null && command.getCommand() instanceof ApiCommand api && api.json()) {
                    command.getOut().println(failure.apiBody());
                    command.getOut().flush();
                }
                err.println("greenlight: " + failure.getMessage());
                err.flush();
                return failure.exit().code();
            }
            err.println("greenlight: unexpected error: " + e);
            err.flush();
            return Exit.INTERNAL.code();
        });
        withHelp(cli);
        return cli;
    }

    /** Every command with {@code --help}, whose text ends with the exit codes. */
    private static void withHelp(CommandLine command) {
        CommandSpec spec = command.getCommandSpec();
        if (spec.findOption("--help") == null) spec.mixinStandardHelpOptions(true);
        spec.usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(Exit.helpList());
        command.getSubcommands().values().forEach(GreenlightCli::withHelp);
    }

    /** Whether {@code args} ask for a command of the command line rather than the service. */
    public static boolean handles(String[] args) {
        return args.length > 0 && commandNames().contains(args[0]);
    }

    private static Set<String> commandNames() {
        return new CommandLine(new GreenlightCli(name -> null)).getSubcommands().keySet();
    }

    /** Runs {@code args} against the process's environment and streams; the exit code. */
    public static int run(String[] args) {
        return commandLine(System::getenv).execute(args);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** The jar's version, as its manifest has it. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = GreenlightCli.class.getPackage().getImplementationVersion();
            return new String[] {"greenlight " + (version == null ? "(version unknown)" : version)};
        }
    }
}
