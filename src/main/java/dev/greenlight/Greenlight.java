package dev.greenlight;

import dev.greenlight.config.ConfigException;
import org.apache.camel.main.Main;

/** Starts Greenlight: Camel Main with the YAML routes under routes/ and the beans of {@link GreenlightConfiguration}. */
public final class Greenlight {
    static final String PROPERTIES = "file:application.properties;optional=true,classpath:application.properties;optional=true";

    private Greenlight() {
    }

    public static Main newMain() {
        Main main = new Main();
        main.setPropertyPlaceholderLocations(PROPERTIES);
        main.configure().addConfiguration(GreenlightConfiguration.class);
        return main;
    }

    public static void main(String[] args) throws Exception {
        try {
            System.exit(newMain().run(args));
        } catch (Exception e) {
            ConfigException problem = configProblem(e);
            if (problem == null) throw e;
            // a configuration mistake is the operator's to fix: one clear line, no stack trace
            System.err.println("greenlight: configuration error: " + problem.getMessage());
            System.exit(2);
        }
    }

    static ConfigException configProblem(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConfigException e) return e;
        }
        return null;
    }
}
