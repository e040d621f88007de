package dev.greenlight.config;

import java.util.Set;

/** An API client: its name (the actor in the audit trail), where its token lives, what it may deploy. */
public record AccessRule(String name, String tokenEnv, String tokenFile, Set<String> apps, Set<String> environments) {
    public boolean allows(String app, String environment) {
        return (apps.isEmpty() || apps.contains(app)) && environments.contains(environment);
    }
}
