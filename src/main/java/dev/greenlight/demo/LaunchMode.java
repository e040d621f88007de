package dev.greenlight.demo;

import dev.greenlight.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.UnaryOperator;

/**
 * Whether Greenlight starts on its user's configuration or as the demo. The demo runs only where nothing names a
 * configuration: no {@code greenlight.config} setting (a {@code -D} option, {@code GREENLIGHT_CONFIG}, the working
 * directory's application.properties) and no {@code greenlight.yaml} in the working directory, the places the
 * service reads it from. {@code --demo} asks for it explicitly and is refused where a configuration is named, so the
 * demo can never stand in for a configured installation whose file has gone missing.
 *
 * @param demo       run the demo
 * @param configured where the configuration is named (null for the demo)
 * @param args       the command line without {@code --demo}, for Camel Main
 */
public record LaunchMode(boolean demo, String configured, List<String> args) {
    public static final String DEMO_OPTION = "--demo";
    static final String SETTING = "greenlight.config";
    static final String VARIABLE = "GREENLIGHT_CONFIG";
    static final String DEFAULT_FILE = "greenlight.yaml";

    /**
     * @param env        the process environment
     * @param system     the JVM's system properties
     * @param workingDir where the service looks for greenlight.yaml and application.properties
     */
    public static LaunchMode choose(String[] args, UnaryOperator<String> env, UnaryOperator<String> system,
                                    Path workingDir) {
        List<String> rest = new ArrayList<>(List.of(args));
        boolean asked = rest.removeIf(DEMO_OPTION::equals);
        Optional<String> configured = configuration(env, system, workingDir);
        if (asked && configured.isPresent()) {
            throw new ConfigException(DEMO_OPTION + " is refused: this installation is configured (" + configured.get()
                    + "), and the demo never runs in place of a configuration; start without " + DEMO_OPTION
                    + ", or run the demo from a directory without greenlight.yaml and with GREENLIGHT_CONFIG unset");
        }
        return new LaunchMode(configured.isEmpty(), configured.orElse(null), List.copyOf(rest));
    }

    /** Where a configuration is named or found, described for the log; empty when nothing names one. */
    private static Optional<String> configuration(UnaryOperator<String> env, UnaryOperator<String> system,
                                                  Path workingDir) {
        if (isSet(system.apply(SETTING))) return Optional.of("-D" + SETTING + "=" + system.apply(SETTING));
        if (isSet(env.apply(VARIABLE))) return Optional.of(VARIABLE + "=" + env.apply(VARIABLE));
        Optional<String> inFile = fromProperties(workingDir.resolve("application.properties"));
        if (inFile.isPresent()) return Optional.of(SETTING + " = " + inFile.get() + " in application.properties");
        Path file = workingDir.resolve(DEFAULT_FILE);
        if (Files.exists(file)) return Optional.of(file.toAbsolutePath().normalize().toString());
        return Optional.empty();
    }

    private static Optional<String> fromProperties(Path file) {
        if (!Files.isRegularFile(file)) return Optional.empty();
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        } catch (IOException e) {
            // the service cannot read it either and will say so; it may well name a configuration: no demo
            return Optional.of("(unreadable: " + e.getMessage() + ")");
        }
        return Optional.ofNullable(properties.getProperty(SETTING)).filter(LaunchMode::isSet);
    }

    private static boolean isSet(String value) {
        return value != null && !value.isBlank();
    }
}
