package dev.greenlight.config;

/** How urgent a notification is: a channel with {@code severity: critical} gets only the critical ones and failures. */
public enum Severity {
    INFO, WARNING, CRITICAL;

    public String key() {
        return name().toLowerCase();
    }
}
