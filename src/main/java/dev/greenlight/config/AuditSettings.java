package dev.greenlight.config;

import java.nio.file.Path;
import java.util.Optional;

/** The {@code audit:} block: where the trail is kept as a Markdown document on disk, if anywhere. */
public record AuditSettings(Optional<Path> markdownFile) {
    public static final AuditSettings NONE = new AuditSettings(Optional.empty());
}
