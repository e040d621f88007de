package dev.greenlight.config;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** How many hosts a rolling update touches at once: a count ({@code 2}) or a share ({@code "25%"}). */
public record BatchSize(int count, int percent) {
    private static final Pattern FORM = Pattern.compile("(\\d{1,5})(%?)");

    public static Optional<BatchSize> parse(String text) {
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) return Optional.empty();
        int n = Integer.parseInt(m.group(1));
        if (m.group(2).isEmpty()) return n >= 1 ? Optional.of(new BatchSize(n, 0)) : Optional.empty();
        return n >= 1 && n <= 100 ? Optional.of(new BatchSize(0, n)) : Optional.empty();
    }

    /** Hosts per batch for {@code hosts} hosts: at least one, at most all. */
    public int resolve(int hosts) {
        int size = percent > 0 ? (int) Math.ceil(hosts * percent / 100.0) : count;
        return Math.max(1, Math.min(size, hosts));
    }

    @Override
    public String toString() {
        return percent > 0 ? percent + "%" : String.valueOf(count);
    }
}
