package dev.greenlight.config;

/** A chat channel; its webhook URL is a secret, so only where to read it is configured. */
public record NotificationTarget(String name, String type, String urlEnv, String urlFile) {
}
