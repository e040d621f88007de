package dev.greenlight.config;

import java.util.Map;

/** An application: the repository its webhooks come from, its image, its environments. */
public record AppConfig(String name, String repository, String image, Map<String, EnvironmentConfig> environments) {
}
