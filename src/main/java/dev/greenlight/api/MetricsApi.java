package dev.greenlight.api;

import dev.greenlight.config.CurrentConfig;
import dev.greenlight.delivery.Bucket;
import dev.greenlight.delivery.DeliveryFigures;
import dev.greenlight.delivery.DeliveryMetrics;
import dev.greenlight.delivery.DurationSummary;
import dev.greenlight.delivery.MetricsQuery;
import dev.greenlight.delivery.Outcomes;
import dev.greenlight.http.ApiError;
import dev.greenlight.http.Json;
import dev.greenlight.http.JsonReply;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;

/**
 * GET /api/v1/metrics?app=&environment=&days=30: the delivery figures of the deployments triggered in the last
 * {@code days} days, of the environments the caller may see (the README's "Metrics" section defines each figure).
 */
public final class MetricsApi {
    static final int DEFAULT_DAYS = 30;
    static final int MAX_DAYS = 366;
    static final String NO_LEAD_TIME = "no succeeded deployment in the window has a commit time: only deployments "
            + "triggered by a push carry one (head_commit.timestamp)";

    private final CurrentConfig config;
    private final DeploymentApi deployments;
    private final DeliveryMetrics metrics;
    private final Clock clock;

    public MetricsApi(CurrentConfig config, DeploymentApi deployments, DeliveryMetrics metrics, Clock clock) {
        this.config = config;
        this.deployments = deployments;
        this.metrics = metrics;
        this.clock = clock;
    }

    public void get(Exchange exchange) {
        int days = days(DeploymentApi.query(exchange, "days"));
        String app = DeploymentApi.query(exchange, "app");
        String environment = DeploymentApi.query(exchange, "environment");
        requireKnown(app, environment);
        Instant to = Instant.now(clock).truncatedTo(ChronoUnit.MILLIS);
        Instant from = to.minus(Duration.ofDays(days));
        DeliveryFigures figures = metrics.figures(new MetricsQuery(ApiAuth.scope(exchange), app, environment, from, to));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("window", Map.of("days", days, "from", from, "to", to));
        Map<String, Object> filters = new LinkedHashMap<>();
        filters.put("app", app);
        filters.put("environment", environment);
        answer.put("filters", filters);
        answer.putAll(document(figures, days));
        JsonReply.set(exchange, 200, Json.write(answer));
    }

    /** The figures as the answer names them; rates are fractions (0.25 is 25%), durations seconds. */
    static Map<String, Object> document(DeliveryFigures f, int days) {
        Outcomes o = f.outcomes();
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("total", o.total());
        counts.put("finished", o.finished());
        counts.put("succeeded", o.succeeded());
        counts.put("failed", o.failed());
        counts.put("rolledBack", o.rolledBack());
        counts.put("rollbackFailed", o.rollbackFailed());
        counts.put("cancelled", o.cancelled());
        counts.put("unfinished", o.unfinished());
        out.put("deployments", counts);
        Map<String, Object> frequency = new LinkedHashMap<>();
        frequency.put("perDay", (double) o.succeeded() / days);
        frequency.put("perWeek", o.succeeded() * 7.0 / days);
        frequency.put("byDay", buckets(f.days(), "date"));
        frequency.put("byWeek", buckets(f.weeks(), "weekOf"));
        out.put("deploymentFrequency", frequency);
        out.put("successRate", o.shareOfFinished(o.succeeded()));
        Map<String, Object> failures = new LinkedHashMap<>();
        failures.put("rate", o.shareOfFinished(o.changeFailures()));
        failures.put("failures", o.changeFailures());
        failures.put("rolledBackLater", o.rolledBackLater());
        out.put("changeFailureRate", failures);
        out.put("timeToDeploy", durations(f.timeToDeploy()));
        out.put("timeToRecovery", durations(f.timeToRecovery()));
        Map<String, Object> rollbacks = new LinkedHashMap<>();
        rollbacks.put("automatic", o.automaticRollbacks());
        rollbacks.put("automaticFailed", o.rollbackFailed());
        rollbacks.put("manual", o.manualRollbacks());
        rollbacks.put("total", o.automaticRollbacks() + o.manualRollbacks());
        rollbacks.put("rate", o.shareOfFinished(o.automaticRollbacks() + o.manualRollbacks()));
        rollbacks.put("perWeek", (o.automaticRollbacks() + o.manualRollbacks()) * 7.0 / days);
        out.put("rollbacks", rollbacks);
        Map<String, Object> lead = durations(f.leadTime());
        lead.put("reason", f.leadTime().count() == 0 ? NO_LEAD_TIME : null);
        out.put("leadTime", lead);
        return out;
    }

    private static Map<String, Object> durations(DurationSummary s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", s.count());
        m.put("meanSeconds", s.meanSeconds());
        m.put("p50Seconds", s.p50Seconds());
        m.put("p90Seconds", s.p90Seconds());
        return m;
    }

    private static List<Map<String, Object>> buckets(List<Bucket> buckets, String startName) {
        return buckets.stream().map(b -> Map.<String, Object>of(startName, b.start().toString(),
                "deployments", b.deployments(), "succeeded", b.succeeded())).toList();
    }

    /** An app or environment that is not configured is "not found", as everywhere in the API. */
    private void requireKnown(String app, String environment) {
        if (app != null && environment != null) {
            deployments.environment(app, environment);
        } else if (app != null) {
            if (!config.get().apps().containsKey(app)) throw ApiError.notFound("unknown app " + app);
        } else if (environment != null && config.get().environments().noneMatch(e -> e.name().equals(environment))) {
            throw ApiError.notFound("no app has an environment " + environment);
        }
    }

    static int days(String raw) {
        if (raw == null) return DEFAULT_DAYS;
        try {
            int days = Integer.parseInt(raw.strip());
            if (days >= 1 && days <= MAX_DAYS) return days;
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw ApiError.badRequest("days must be a whole number from 1 to " + MAX_DAYS);
    }
}
