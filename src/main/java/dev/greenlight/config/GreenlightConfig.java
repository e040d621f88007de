package dev.greenlight.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** The whole deployment configuration, validated. */
public record GreenlightConfig(
        String source,
        List<AccessRule> access,
        Map<String, AppConfig> apps,
        Map<String, NotificationTarget> notifications,
        GithubSettings github,
        AuditSettings audit) {

    public Optional<EnvironmentConfig> environment(String app, String environment) {
        return Optional.ofNullable(apps.get(app)).map(a -> a.environments().get(environment));
    }

    public Stream<EnvironmentConfig> environments() {
        return apps.values().stream().flatMap(a -> a.environments().values().stream());
    }
}
