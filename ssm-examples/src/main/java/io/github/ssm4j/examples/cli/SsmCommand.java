package io.github.ssm4j.examples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ssm} command line: entry point of the examples module. */
@Command(name = "ssm", mixinStandardHelpOptions = true, version = "ssm4j 0.1.0-SNAPSHOT",
        description = "Score matching for Deeplearning4j / SameDiff.",
        subcommands = {TrainCommand.class, SampleCommand.class, EvalCommand.class, ZooCommand.class, SelfCheckCommand.class})
public final class SsmCommand implements Runnable {

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (for tests and embedding). */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new SsmCommand());
        cli.setParameterExceptionHandler((ex, a) -> {
            cli.getErr().println("ssm: " + ex.getMessage());
            cli.getErr().println("Try 'ssm --help'.");
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof IllegalArgumentException) {
                c.getErr().println("ssm: " + ex.getMessage());
                return 2;
            }
            if (ex instanceof ArithmeticException) {        // the trainer's NaN guard: which step, what was kept
                c.getErr().println("ssm: " + ex.getMessage());
                return 3;
            }
            throw ex;
        });
        return cli.execute(args);
    }
}
