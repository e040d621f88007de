package dev.greenlight.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * Greenlight's own meters, on the registry the management server's {@code /observe/metrics} scrapes beside Camel's
 * route meters. Tags are app and environment (both bounded by greenlight.yaml), status, and a notification channel's
 * name.
 */
public final class GreenlightMeters {
    private final MeterRegistry registry;

    public GreenlightMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * A deployment ended with {@code status}: counted, and when it ran ({@code ran} is not null: from leaving the
     * queue to its end) timed.
     */
    public void deploymentFinished(String app, String environment, String status, Duration ran) {
        Counter.builder("greenlight.deployments").description("Deployments ended, by their final status")
                .tags("app", app, "environment", environment, "status", status).register(registry).increment();
        if (ran != null) {
            Timer.builder("greenlight.deployment.duration")
                    .description("From a deployment's start (it left the queue) to its end, rollback included")
                    .tags("app", app, "environment", environment, "status", status).register(registry).record(ran);
        }
    }

    /** An automatic rollback ended with {@code status} (rolled_back or rollback_failed), {@code took} after it began. */
    public void rollbackFinished(String app, String environment, String status, Duration took) {
        Timer.builder("greenlight.rollback.duration")
                .description("From the failure that started a rollback to the rollback's end")
                .tags("app", app, "environment", environment, "status", status).register(registry).record(took);
    }

    /** One health attempt of one host ended, healthy or not (each unhealthy attempt is a failure). */
    public void healthAttempt(String app, String environment, boolean healthy) {
        Counter.builder("greenlight.health.attempts").description("Health-check attempts of hosts")
                .tags("app", app, "environment", environment).register(registry).increment();
        if (!healthy) {
            Counter.builder("greenlight.health.failures").description("Health-check attempts that found a host unhealthy")
                    .tags("app", app, "environment", environment).register(registry).increment();
        }
    }

    /** A chat or webhook notification reached {@code channel}. */
    public void notificationDelivered(String channel) {
        Counter.builder("greenlight.notifications.delivered").description("Notifications delivered, by channel")
                .tags("channel", channel).register(registry).increment();
    }

    /** A notification to {@code channel} was given up after its last attempt and kept as a dead letter. */
    public void notificationDeadLettered(String channel) {
        Counter.builder("greenlight.notifications.dead.letters")
                .description("Notifications given up after their last attempt, by channel")
                .tags("channel", channel).register(registry).increment();
    }
}
