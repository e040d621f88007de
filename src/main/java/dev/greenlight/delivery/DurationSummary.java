package dev.greenlight.delivery;

/**
 * Durations in seconds: how many there were, their mean, median and 90th percentile (interpolated, as SQL's
 * {@code percentile_cont} does). The figures are null when there were none.
 */
public record DurationSummary(long count, Double meanSeconds, Double p50Seconds, Double p90Seconds) {
}
