package dev.greenlight.deploy;

import java.time.Instant;

/** One action on the world, written before it starts and closed when it ends. */
public record Step(
        long id,
        long deploymentId,
        String stage,
        String host,
        int attempt,
        String status,
        Instant startedAt,
        Instant finishedAt,
        Integer exitCode,
        String output,
        String detail) {
}
