package dev.greenlight.notify;

import dev.greenlight.config.GreenlightConfig;
import dev.greenlight.deploy.Deployment;
import java.util.function.Consumer;
import org.apache.camel.ProducerTemplate;

/**
 * Hands deployment events to the notification routes without waiting: a slow or dead provider never holds up a
 * deployment.
 */
public final class DeploymentEvents implements Consumer<DeploymentEvent> {
    static final String ENDPOINT = "seda:deployment-events?waitForTaskToComplete=Never";

    private final ProducerTemplate producer;
    private final GreenlightConfig config;

    public DeploymentEvents(ProducerTemplate producer, GreenlightConfig config) {
        this.producer = producer;
        this.config = config;
    }

    public void started(Deployment d) {
        accept(new DeploymentEvent(DeploymentEvent.STARTED, d, repository(d)));
    }

    public void finished(Deployment d) {
        accept(new DeploymentEvent(DeploymentEvent.FINISHED, d, repository(d)));
    }

    @Override
    public void accept(DeploymentEvent event) {
        producer.sendBody(ENDPOINT, event);
    }

    private String repository(Deployment d) {
        var app = config.apps().get(d.app());
        return app == null ? null : app.repository();
    }
}
