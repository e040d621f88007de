package dev.greenlight.config;

/** The deployment configuration is unusable; the message names the file, the key path and what is wrong. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public static ConfigException at(String file, String path, String problem) {
        return new ConfigException(file + ": " + (path.isEmpty() ? "" : path + ": ") + problem);
    }
}
