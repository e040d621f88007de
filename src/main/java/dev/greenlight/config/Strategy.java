package dev.greenlight.config;

import java.util.Arrays;
import java.util.Optional;

/** How an environment is updated. */
public enum Strategy {
    ROLLING("rolling"),
    BLUE_GREEN("blue-green");

    private final String key;

    Strategy(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    public static Optional<Strategy> parse(String text) {
        return Arrays.stream(values()).filter(s -> s.key.equals(text)).findFirst();
    }
}
