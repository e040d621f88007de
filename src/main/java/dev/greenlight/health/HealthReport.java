package dev.greenlight.health;

import java.util.List;
import java.util.stream.Collectors;

/** All path results of one health check of one host. */
public record HealthReport(List<PathResult> results) {

    public HealthReport {
        results = List.copyOf(results);
    }

    /** Healthy when at least one path was checked and every path answered 2xx: nothing checked proves nothing. */
    public boolean healthy() {
        return !results.isEmpty() && results.stream().allMatch(PathResult::ok);
    }

    /** The results that are not ok. */
    public List<PathResult> failures() {
        return results.stream().filter(r -> !r.ok()).toList();
    }

    /** One line for a step record, e.g. {@code /health 200 12ms, /health/db 503 8ms}. */
    public String summary() {
        if (results.isEmpty()) {
            return "no health paths checked";
        }
        return results.stream().map(PathResult::describe).collect(Collectors.joining(", "));
    }
}
