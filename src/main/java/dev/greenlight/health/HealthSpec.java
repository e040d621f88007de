package dev.greenlight.health;

import java.time.Duration;
import java.util.List;

/** An environment's {@code health:} block. */
public record HealthSpec(String command, String url, List<String> paths, int attempts, Duration interval, Duration timeout) {
}
