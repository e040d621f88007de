package dev.greenlight;

import dev.greenlight.cli.GreenlightCli;
import dev.greenlight.config.ConfigException;
import dev.greenlight.demo.Demo;
import dev.greenlight.demo.LaunchMode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts Greenlight: Camel Main with the YAML routes (in the jar, under routes/) and the beans of
 * {@link GreenlightConfiguration}. Settings come from application.properties in the working directory, then the
 * one in the jar, key by key. Arguments that start with a command of the command line ({@code status}, {@code deploy},
 * ...) run that command against a running Greenlight instead.
 */
public final class Greenlight {
    private static final Logger LOG = LoggerFactory.getLogger(Greenlight.class);
    static final String PROPERTIES = "file:application.properties;optional=true,classpath:application.properties;optional=true";
    /**
     * Settings Camel Main would not take from the environment: it skips every variable ending in {@code _PORT}
     * (they look like Kubernetes service links), so {@code CAMEL_SERVER_PORT} would reach Greenlight's own
     * lookups but not the server.
     */
    static final List<String> PORT_SETTINGS = List.of("camel.server.port", "camel.management.port");

    private Greenlight() {
    }

    public static Main newMain() {
        Main main = new Main();
        main.setPropertyPlaceholderLocations(PROPERTIES);
        portsFromEnvironment(System::getenv, System::getProperty).forEach(main::addOverrideProperty);
        main.configure().addConfiguration(GreenlightConfiguration.class);
        return main;
    }

    /**
     * The port settings given as environment variables ({@code CAMEL_SERVER_PORT}), as Camel Main's own order has
     * them: a {@code -D} system property still comes first, application.properties after.
     */
    static Map<String, String> portsFromEnvironment(UnaryOperator<String> env, UnaryOperator<String> system) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String setting : PORT_SETTINGS) {
            String value = env.apply(environmentVariable(setting));
            if (value != null && !value.isBlank() && system.apply(setting) == null) out.put(setting, value.trim());
        }
        return out;
    }

    /** {@code camel.server.port} is {@code CAMEL_SERVER_PORT}, as Camel names it. */
    static String environmentVariable(String setting) {
        return setting.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public static void main(String[] args) throws Exception {
        if (GreenlightCli.handles(args)) System.exit(GreenlightCli.run(args)); // a command for a running service
        try {
            LaunchMode mode = LaunchMode.choose(args, System::getenv, System::getProperty, Path.of(""));
            String[] camelArgs = mode.args().toArray(String[]::new);
            if (!mode.demo()) {
                LOG.info("Greenlight starts on its configuration: {}", mode.configured());
                System.exit(newMain().run(camelArgs));
            }
            System.exit(runDemo(camelArgs));
        } catch (Exception e) {
            ConfigException problem = configProblem(e);
            if (problem == null) throw e;
            // a configuration mistake is the operator's to fix: one clear line, no stack trace
            System.err.println("greenlight: configuration error: " + problem.getMessage());
            System.exit(2);
        }
    }

    /**
     * The demo: its hosts and configuration first, then the service on them, on loopback only; once it serves, the
     * demo's first deployments and its welcome, off the start-up thread. Everything is removed when it stops.
     */
    private static int runDemo(String[] args) throws Exception {
        LOG.info("Greenlight starts in DEMO mode: no greenlight.yaml here and no GREENLIGHT_CONFIG (write a "
                + "greenlight.yaml to run on your own configuration)");
        try (Demo demo = Demo.prepare()) {
            LOG.info("Demo: hosts, keys, known_hosts and configuration under {}", demo.directory());
            Main main = newMain();
            demo.settings().forEach(main::addOverrideProperty);
            main.addMainListener(new DemoLifecycle(demo));
            return main.run(args);
        }
    }

    static ConfigException configProblem(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConfigException e) return e;
        }
        return null;
    }
}
