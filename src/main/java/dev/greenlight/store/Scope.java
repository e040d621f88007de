package dev.greenlight.store;

import java.util.Set;

/**
 * What a reader may see: the apps (null: any) and environments (null: any) it is allowed. Only a scope over
 * everything also sees records that belong to no app and environment (refusals of unknown callers, say).
 */
public record Scope(Set<String> apps, Set<String> environments) {
    public static final Scope EVERYTHING = new Scope(null, null);

    public boolean isEverything() {
        return apps == null && environments == null;
    }

    public boolean allows(String app, String environment) {
        if (isEverything()) return true;
        return app != null && environment != null && (apps == null || apps.contains(app))
                && (environments == null || environments.contains(environment));
    }

    /** Adds the scope's conditions on an {@code app} and an {@code environment} column. */
    public Filter restrict(Filter filter) {
        return filter.in("app", apps).in("environment", environments);
    }
}
