package dev.greenlight;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The feature packages under dev.greenlight depend on each other without cycles (the root package wires them). */
class PackageCyclesTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/greenlight");
    private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.greenlight\\.([a-z]+)\\.[A-Z]");

    @Test
    void featurePackagesFormNoCycle() throws IOException {
        Map<String, Set<String>> uses = dependencies();
        assertThat(uses).containsKeys("api", "deploy", "health", "http", "intake", "ssh", "store");
        for (String start : uses.keySet()) {
            assertThat(cycleFrom(start, uses)).as("a cycle through " + start).isEmpty();
        }
    }

    /** Which packages each feature package names (imports and fully qualified names alike). */
    private static Map<String, Set<String>> dependencies() throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Path relative = SOURCES.relativize(file);
                if (relative.getNameCount() < 2) continue; // the root package wires everything together
                String pkg = relative.getName(0).toString();
                Set<String> targets = uses.computeIfAbsent(pkg, p -> new TreeSet<>());
                Matcher m = REFERENCE.matcher(Files.readString(file));
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) targets.add(m.group(1));
                }
            }
        }
        return uses;
    }

    /** A path from {@code start} back to itself, empty when there is none. */
    private static List<String> cycleFrom(String start, Map<String, Set<String>> uses) {
        List<String> path = new ArrayList<>();
        return walk(start, start, uses, path, new TreeSet<>()) ? path : List.of();
    }

    private static boolean walk(String start, String at, Map<String, Set<String>> uses, List<String> path,
                                Set<String> seen) {
        path.add(at);
        for (String next : uses.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                path.add(next);
                return true;
            }
            if (seen.add(next) && walk(start, next, uses, path, seen)) return true;
        }
        path.remove(path.size() - 1);
        return false;
    }
}
