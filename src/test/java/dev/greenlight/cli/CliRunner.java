package dev.greenlight.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Runs the command line in-process as a shell would: arguments, an environment of the test's own (never the
 * process's), and stdout and stderr captured.
 */
final class CliRunner {
    private static final Pattern QUEUED = Pattern.compile("deployment (\\d+) queued");

    private final Map<String, String> environment;

    private CliRunner(Map<String, String> environment) {
        this.environment = environment;
    }

    /** {@code GREENLIGHT_URL} and {@code GREENLIGHT_TOKEN} set; either may be null for unset. */
    static CliRunner with(String url, String token) {
        Map<String, String> env = new HashMap<>();
        if (url != null) env.put("GREENLIGHT_URL", url);
        if (token != null) env.put("GREENLIGHT_TOKEN", token);
        return new CliRunner(env);
    }

    static CliRunner against(int port, String token) {
        return with("http://127.0.0.1:" + port, token);
    }

    /** The same service as another token. */
    CliRunner as(String token) {
        return with(environment.get("GREENLIGHT_URL"), token);
    }

    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = GreenlightCli.commandLine(environment::get);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    record Result(int exit, String out, String err) {
        /** The id of the deployment a deploy or rollback queued, from its first line. */
        long queuedId() {
            Matcher m = QUEUED.matcher(out);
            if (!m.find()) throw new AssertionError("no queued deployment in: " + this);
            return Long.parseLong(m.group(1));
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }
}
