package dev.greenlight.reload;

import java.util.List;

/** A reload's result: applied with what it changed, or refused with every reason (the running one stays). */
public record ReloadOutcome(boolean applied, ConfigChanges changes, List<String> errors) {
    public ReloadOutcome {
        errors = List.copyOf(errors);
    }

    static ReloadOutcome applied(ConfigChanges changes) {
        return new ReloadOutcome(true, changes, List.of());
    }

    static ReloadOutcome refused(List<String> errors) {
        return new ReloadOutcome(false, null, errors);
    }
}
