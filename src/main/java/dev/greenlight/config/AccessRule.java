package dev.greenlight.config;

import java.util.List;
import java.util.Set;

/**
 * An API client: its name (the actor in the audit trail), where its token lives, what it may deploy.
 *
 * @param tokenEnvs the variables holding its token: one, or two while the token is rotated (either is accepted)
 * @param admin     {@code role: admin}: may also reload the configuration; the deployments it may act on are still
 *                  those of its apps and environments
 */
public record AccessRule(String name, List<String> tokenEnvs, String tokenFile, Set<String> apps,
                         Set<String> environments, boolean admin) {
    /** The most token variables a rule may name: the token in use and the one replacing it. */
    public static final int MAX_TOKENS = 2;

    public AccessRule {
        tokenEnvs = List.copyOf(tokenEnvs);
    }

    public boolean allows(String app, String environment) {
        return (apps.isEmpty() || apps.contains(app)) && environments.contains(environment);
    }
}
