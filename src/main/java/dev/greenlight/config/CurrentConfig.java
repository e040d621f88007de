package dev.greenlight.config;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The configuration in force, which a reload replaces in one step. Every bean reads through it at the moment it
 * needs a setting, so it sees either the old configuration or the new one, never a mixture; a deployment's run
 * keeps the environment it read when it started ({@code DeploymentRuns.open}), so a reload applies between
 * deployments.
 */
public final class CurrentConfig implements Supplier<GreenlightConfig> {
    private final AtomicReference<GreenlightConfig> current;

    public CurrentConfig(GreenlightConfig initial) {
        this.current = new AtomicReference<>(Objects.requireNonNull(initial, "initial"));
    }

    @Override
    public GreenlightConfig get() {
        return current.get();
    }

    /** Puts {@code next} in force, provided nothing replaced {@code expected} meanwhile (two reloads at once). */
    public boolean replace(GreenlightConfig expected, GreenlightConfig next) {
        return current.compareAndSet(expected, Objects.requireNonNull(next, "next"));
    }
}
