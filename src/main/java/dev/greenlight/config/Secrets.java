package dev.greenlight.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Reads secrets from the environment or from files, never from configuration, and remembers every value it
 * handed out so that {@link #redact} can replace them with {@code ***} in step output, audit details and errors.
 */
public final class Secrets {
    public static final String MASK = "***";
    /** Values this short would mask ordinary words; secrets are never this short in practice. */
    private static final int MIN_REDACTED_LENGTH = 4;

    /**
     * Every value any {@code Secrets} handed out in this process, for the log layout
     * ({@code dev.greenlight.logging}). It is static because logback creates its converters itself, from
     * logback.xml, before any Greenlight object exists and with no way to reach Camel's registry. Values are only
     * ever added (a secret once logged-about stays masked), so it holds a few strings at most.
     */
    private static final Known EVERYWHERE = new Known();

    private final UnaryOperator<String> environment;
    private final Known known = new Known();

    public Secrets(UnaryOperator<String> environment) {
        this.environment = environment;
    }

    /** The value of environment variable {@code name}, or the trimmed content of the file it names. */
    public Optional<String> get(String envName, String fileName) {
        String value = envName == null ? null : environment.apply(envName);
        if ((value == null || value.isEmpty()) && fileName != null) {
            value = readFile(fileName);
        }
        if (value == null || value.isEmpty()) return Optional.empty();
        remember(value);
        return Optional.of(value);
    }

    /** The secret in {@code VAR}, or else in the file named by {@code VAR_FILE} (the Docker secrets convention). */
    public Optional<String> fromVariable(String name) {
        return get(name, environment.apply(name + "_FILE"));
    }

    /** A non-secret environment setting (a URL, a user name): read, not remembered. */
    public Optional<String> setting(String name) {
        return Optional.ofNullable(environment.apply(name)).filter(v -> !v.isBlank());
    }

    public void remember(String value) {
        if (value != null && value.length() >= MIN_REDACTED_LENGTH) {
            known.add(value);
            EVERYWHERE.add(value);
        }
    }

    /** {@code text} with every secret this instance handed out replaced by {@link #MASK}. */
    public String redact(String text) {
        return known.mask(text);
    }

    /** {@code text} with every secret handed out in this process masked: what the log layout writes. */
    public static String redactEverywhere(String text) {
        return EVERYWHERE.mask(text);
    }

    /** A set of secrets, kept longest first so that a secret containing another is masked whole. */
    private static final class Known {
        private final Set<String> values = ConcurrentHashMap.newKeySet();
        private volatile List<String> longestFirst = List.of();

        void add(String value) {
            if (values.add(value)) {
                synchronized (this) {
                    longestFirst = values.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();
                }
            }
        }

        String mask(String text) {
            if (text == null) return null;
            String out = text;
            for (String secret : longestFirst) out = out.replace(secret, MASK);
            return out;
        }
    }

    private static String readFile(String fileName) {
        try {
            return Files.readString(Path.of(fileName)).trim();
        } catch (IOException e) {
            throw new ConfigException("cannot read secret file " + fileName + ": " + e.getClass().getSimpleName());
        }
    }
}
