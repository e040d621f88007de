package dev.greenlight.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One of the shipped {@code examples/<proxy>/greenlight-switch} scripts, run as Greenlight runs it: a process. */
final class SwitchScript {
    private final Path script;
    private final Map<String, String> environment;

    /** @param proxy {@code nginx} or {@code haproxy}; @param environment what the host's sudoers rule would pass */
    SwitchScript(String proxy, Map<String, String> environment) {
        this.script = Path.of("examples", proxy, "greenlight-switch").toAbsolutePath();
        this.environment = environment;
    }

    record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\nstdout: " + stdout + "\nstderr: " + stderr;
        }
    }

    Result run(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(script.toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        // the script's own bounds (health check, reload, drain) are far below this
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(script + " did not finish: " + command);
        }
        return new Result(process.exitValue(), read(process.getInputStream()), read(process.getErrorStream()));
    }

    private static String read(java.io.InputStream stream) throws IOException {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
    }
}
