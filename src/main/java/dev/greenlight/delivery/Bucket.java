package dev.greenlight.delivery;

import java.time.LocalDate;

/** The deployments triggered in one UTC day, or one ISO week (Monday to Sunday, UTC) starting on {@code start}. */
public record Bucket(LocalDate start, long deployments, long succeeded) {
}
