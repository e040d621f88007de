package dev.greenlight.delivery;

import java.time.Instant;

/**
 * Days in UTC, numbered from 1970-01-01 (day 0), in Java and in each database's SQL. PostgreSQL takes the date of
 * {@code created_at} in UTC; H2 casts to a date in the session's time zone whatever the value's own, so there the
 * number is the whole days of the interval since the epoch.
 */
final class UtcDays {
    private static final long SECONDS_PER_DAY = 86_400;

    private UtcDays() {
    }

    /** The UTC day of {@code created_at}, as an SQL expression. */
    static String ofCreatedAt(boolean postgres) {
        return postgres ? "(cast(created_at at time zone 'UTC' as date) - date '1970-01-01')"
                : "extract(day from created_at - timestamp with time zone '1970-01-01 00:00:00+00')";
    }

    static long of(Instant at) {
        return Math.floorDiv(at.getEpochSecond(), SECONDS_PER_DAY);
    }

    /** The first day that begins at or after {@code at}. */
    static long from(Instant at) {
        long day = of(at);
        return start(day).equals(at) ? day : day + 1;
    }

    static Instant start(long day) {
        return Instant.ofEpochSecond(day * SECONDS_PER_DAY);
    }
}
