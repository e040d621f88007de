package dev.greenlight.testing;

import dev.greenlight.Greenlight;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * The service as an operator starts it, in a JVM of its own, in a working directory of the test's choosing, with
 * exactly the environment variables and JVM options given: {@code java -jar greenlight.jar}, or the main class on
 * the build's classpath (target/classes carries what the jar carries). Nothing of the repository's top level is seen
 * unless the test puts it in that directory.
 */
public final class ChildGreenlight implements AutoCloseable {
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private ChildGreenlight(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** @param env added to a clean environment (PATH and HOME kept, nothing else of the test's) */
    public static ChildGreenlight start(Path workingDirectory, Map<String, String> env, List<String> jvmOptions)
            throws IOException {
        return start(workingDirectory, env, jvmOptions, List.of());
    }

    /** @param args the command line after the main class, e.g. {@code --demo} */
    public static ChildGreenlight start(Path workingDirectory, Map<String, String> env, List<String> jvmOptions,
                                        List<String> args) throws IOException {
        List<String> launch = new ArrayList<>(jvmOptions);
        launch.addAll(List.of("-cp", System.getProperty("java.class.path"), Greenlight.class.getName()));
        launch.addAll(args);
        return launch(workingDirectory, env, launch);
    }

    /** {@code java -jar jar}, as the README's quick start runs it. */
    public static ChildGreenlight startJar(Path jar, Path workingDirectory, Map<String, String> env) throws IOException {
        return startJar(jar, workingDirectory, env, List.of());
    }

    /** {@code java -jar jar args…}: a command of the command line, say. */
    public static ChildGreenlight startJar(Path jar, Path workingDirectory, Map<String, String> env, List<String> args)
            throws IOException {
        List<String> launch = new ArrayList<>(List.of("-jar", jar.toAbsolutePath().toString()));
        launch.addAll(args);
        return launch(workingDirectory, env, launch);
    }

    private static ChildGreenlight launch(Path workingDirectory, Map<String, String> env, List<String> launch)
            throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m"));
        command.addAll(launch);
        ProcessBuilder pb = new ProcessBuilder(command).directory(workingDirectory.toFile());
        Map<String, String> environment = pb.environment();
        environment.keySet().removeIf(k -> !k.equals("PATH") && !k.equals("HOME"));
        environment.putAll(env);
        Path out = Files.createTempFile(workingDirectory, "stdout", ".txt");
        Path err = Files.createTempFile(workingDirectory, "stderr", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        return new ChildGreenlight(pb.start(), out, err);
    }

    /** Waits for the process to end by itself and returns its exit code. */
    public int awaitExit() throws InterruptedException {
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            throw new AssertionError("the service did not stop by itself; stdout:\n" + stdout());
        }
        return process.exitValue();
    }

    /** SIGTERM, as {@code kill} or a container runtime sends it; returns at once. */
    public void terminate() {
        process.destroy();
    }

    /** SIGKILL: the process gets no chance to flush, close or release anything. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError("the service did not die");
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String stdout() {
        return read(stdout);
    }

    public String stderr() {
        return read(stderr);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /**
     * Waits until the service answers its health check on {@code managementPort} (a slow start on a busy machine
     * included); fails at once, with its output, if the process ended instead.
     */
    public void awaitHealthy(int managementPort) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/observe/health"))
                .timeout(Duration.ofSeconds(2)).build();
        Awaitility.await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!isAlive()) throw new AssertionError("the service exited: " + stderr() + stdout());
            try {
                return http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false; // not listening yet
            }
        });
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
