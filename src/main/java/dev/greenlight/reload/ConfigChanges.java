package dev.greenlight.reload;

import dev.greenlight.config.AccessRule;
import dev.greenlight.config.EnvironmentConfig;
import dev.greenlight.config.GreenlightConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What a new configuration changes, by name only (an environment as {@code app/environment}, an access rule, a
 * notification channel): never a value, so no secret and no command text reaches the answer or the audit trail.
 */
public record ConfigChanges(Names environments, Names access, Names notifications) {

    /** The names added, removed and changed in one part of the configuration, each list sorted. */
    public record Names(List<String> added, List<String> removed, List<String> changed) {
        static <T> Names between(Map<String, T> before, Map<String, T> after) {
            TreeSet<String> added = new TreeSet<>(after.keySet());
            added.removeAll(before.keySet());
            TreeSet<String> removed = new TreeSet<>(before.keySet());
            removed.removeAll(after.keySet());
            List<String> changed = before.keySet().stream().filter(after::containsKey).sorted()
                    .filter(name -> !Objects.equals(before.get(name), after.get(name))).toList();
            return new Names(List.copyOf(added), List.copyOf(removed), changed);
        }

        boolean none() {
            return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
        }

        String describe(String what) {
            List<String> parts = new ArrayList<>();
            if (!added.isEmpty()) parts.add("added " + String.join(", ", added));
            if (!removed.isEmpty()) parts.add("removed " + String.join(", ", removed));
            if (!changed.isEmpty()) parts.add("changed " + String.join(", ", changed));
            return what + " " + String.join("; ", parts);
        }
    }

    public static ConfigChanges between(GreenlightConfig before, GreenlightConfig after) {
        return new ConfigChanges(Names.between(environments(before), environments(after)),
                Names.between(byName(before.access(), AccessRule::name), byName(after.access(), AccessRule::name)),
                Names.between(before.notifications(), after.notifications()));
    }

    /**
     * What only a restart applies: the {@code github} and {@code audit} blocks (their clients, the GitHub services
     * and the trail file are built once at start-up). A reload that changes them is refused, naming them.
     */
    public static List<String> needingRestart(GreenlightConfig before, GreenlightConfig after) {
        List<String> out = new ArrayList<>();
        if (!before.github().equals(after.github())) out.add(after.source() + ": github: changed; this needs a restart");
        if (!before.audit().equals(after.audit())) out.add(after.source() + ": audit: changed; this needs a restart");
        return out;
    }

    public boolean none() {
        return environments.none() && access.none() && notifications.none();
    }

    /** One line for the log and the audit trail, e.g. "environments added shop/production; access changed ci". */
    public String summary() {
        if (none()) return "no change to the configuration (token files read again)";
        List<String> parts = new ArrayList<>();
        if (!environments.none()) parts.add(environments.describe("environments"));
        if (!access.none()) parts.add(access.describe("access"));
        if (!notifications.none()) parts.add(notifications.describe("notifications"));
        return String.join("; ", parts);
    }

    /**
     * Every environment by {@code app/environment}, with the app's repository and image beside it: they are part of
     * how the environment deploys.
     */
    private static Map<String, List<Object>> environments(GreenlightConfig config) {
        return config.apps().values().stream().flatMap(app -> app.environments().values().stream()
                        .map(env -> Map.entry(env.key(), List.<Object>of(env, Objects.toString(app.repository()),
                                Objects.toString(app.image())))))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
    }

    private static <T> Map<String, T> byName(List<T> items, Function<T, String> name) {
        return items.stream().collect(Collectors.toMap(name, Function.identity(), (a, b) -> a, LinkedHashMap::new));
    }

    /** The environments {@code after} no longer has. */
    static List<EnvironmentConfig> removedEnvironments(GreenlightConfig before, GreenlightConfig after) {
        return before.environments().filter(e -> after.environment(e.app(), e.name()).isEmpty()).toList();
    }
}
