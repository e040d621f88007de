package dev.greenlight.registry;

/** Whether a tag exists in a registry, with a one-line detail for a step record. */
public record TagCheck(boolean exists, String detail) {
}
