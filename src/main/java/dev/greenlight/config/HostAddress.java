package dev.greenlight.config;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A deployment target: host name or IPv4 address, and its SSH port. */
public record HostAddress(String host, int port) {
    private static final Pattern FORM = Pattern.compile(
            "([A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*)(?::(\\d{1,5}))?");

    public static Optional<HostAddress> parse(String text) {
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) return Optional.empty();
        int port = m.group(2) == null ? 22 : Integer.parseInt(m.group(2));
        return port >= 1 && port <= 65535 ? Optional.of(new HostAddress(m.group(1), port)) : Optional.empty();
    }

    @Override
    public String toString() {
        return port == 22 ? host : host + ":" + port;
    }
}
