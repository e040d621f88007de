package dev.greenlight.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * A program a test runs that is not part of the build (nginx, HAProxy, socat). Missing, it skips the test naming the
 * Debian package to install; on CI ({@code CI=true}, where {@code .ci/run} installs them) it fails the test instead,
 * so that a CI run never passes by skipping.
 */
public final class RequiredPackage {
    private RequiredPackage() {
    }

    /** The program's path, looked up in {@code PATH} and the sbin directories (nginx and haproxy live there). */
    public static Path require(String program, String debianPackage) {
        return require(program, debianPackage, System.getenv());
    }

    static Path require(String program, String debianPackage, Map<String, String> environment) {
        for (String dir : searchPath(environment)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        String message = program + " is not installed (Debian package " + debianPackage + ")";
        if ("true".equals(environment.get("CI"))) {
            fail(message + ", and CI=true: CI must install it (.ci/run)");
        }
        Assumptions.abort(message);
        throw new AssertionError("unreachable: Assumptions.abort throws");
    }

    private static List<String> searchPath(Map<String, String> environment) {
        List<String> dirs = new ArrayList<>(List.of(environment.getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/local/sbin", "/usr/sbin", "/sbin"));
        dirs.removeIf(String::isEmpty);
        return dirs;
    }
}
