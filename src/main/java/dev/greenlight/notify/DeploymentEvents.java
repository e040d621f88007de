package dev.greenlight.notify;

import dev.greenlight.config.CurrentConfig;
import dev.greenlight.deploy.DeploymentStore;
import dev.greenlight.deploy.EventOutbox;
import java.util.List;
import org.apache.camel.ExchangePattern;
import org.apache.camel.ProducerTemplate;

/**
 * Relays the outbox's deployment events to the notification routes ({@code routes/notify.camel.yaml}). A status
 * change wakes the relay at once; a timer catches what a crashed instance left. Nothing here waits for a provider:
 * a slow or dead one never holds up a deployment.
 */
public final class DeploymentEvents {
    /** One pending wake-up is enough, however many status changes arrive meanwhile. */
    static final String WAKE = "seda:deployment-events?size=1&discardWhenFull=true&waitForTaskToComplete=Never";
    /**
     * One event per claim, claimed right before it is sent: a claim never lapses while its event waits behind others,
     * so no other instance can send a later event of the same deployment first.
     */
    private static final int BATCH = 1;

    private final ProducerTemplate producer;
    private final CurrentConfig config;
    private final EventOutbox outbox;
    private final DeploymentStore deployments;

    public DeploymentEvents(ProducerTemplate producer, CurrentConfig config, EventOutbox outbox,
                            DeploymentStore deployments) {
        this.producer = producer;
        this.config = config;
        this.outbox = outbox;
        this.deployments = deployments;
    }

    /** Asks the relay to look at the outbox now (after a status change was committed). */
    public void wake() {
        producer.sendBody(WAKE, ExchangePattern.InOnly, "wake");
    }

    /** The events this instance may send now, in order; each is claimed, so no other instance sends it too. */
    public List<DeploymentEvent> claim() {
        return outbox.claim(BATCH).stream()
                .map(e -> deployments.find(e.deploymentId())
                        .map(d -> new DeploymentEvent(e.id(), e.kind(), d, repository(d.app()), e.attempts())))
                .flatMap(java.util.Optional::stream)
                .toList();
    }

    /** Delivered, or given up on after the route's retries. */
    public void sent(DeploymentEvent event) {
        outbox.sent(event.id());
    }

    private String repository(String appName) {
        var app = config.get().apps().get(appName);
        return app == null ? null : app.repository();
    }
}
