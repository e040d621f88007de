package dev.greenlight.config;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the human durations used in greenlight.yaml: 500ms, 3s, 2m, 1h. */
public final class Durations {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    private Durations() {
    }

    public static Optional<Duration> parse(String text) {
        Matcher m = DURATION.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        long n = Long.parseLong(m.group(1));
        return Optional.of(switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        });
    }

    /**
     * A duration that must be more than zero (a timeout, a TTL, a window: zero would make it expire at once); empty
     * for zero and for text that is no duration.
     */
    public static Optional<Duration> parsePositive(String text) {
        return parse(text).filter(d -> !d.isZero());
    }

    /** {@link #parsePositive} for a service setting: a bad value stops the start with a message naming it. */
    public static Duration requirePositive(String setting, String text) {
        return parsePositive(text).orElseThrow(() -> new ConfigException(
                setting + ": \"" + text + "\" is not a duration (examples: 500ms, 3s, 2m, 1h)"));
    }

    /**
     * A service setting that takes a duration, or {@code 0} to turn what it times off; a bad value stops the start
     * with a message naming it and saying what {@code 0} does ({@code zeroMeans}, e.g. "turns the watch off").
     */
    public static Duration requireDurationOrZero(String setting, String text, String zeroMeans) {
        String t = text.trim();
        if (t.equals("0")) return Duration.ZERO;
        return parse(t).orElseThrow(() -> new ConfigException(setting + ": \"" + t
                + "\" is not a duration (examples: 2s, 1m; 0 " + zeroMeans + ")"));
    }

    /** The inverse of {@link #parse}, for messages and the API. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms > 0) return ms / 3_600_000 + "h";
        if (ms % 60_000 == 0 && ms > 0) return ms / 60_000 + "m";
        if (ms % 1000 == 0) return ms / 1000 + "s";
        return ms + "ms";
    }
}
