package dev.greenlight.notify;

import dev.greenlight.deploy.Deployment;
import dev.greenlight.deploy.EventOutbox;

/**
 * Something the outside world should hear about a deployment: it started, or it ended (with its status).
 *
 * @param id the event's row in the outbox, marked sent once delivered
 */
public record DeploymentEvent(long id, String kind, Deployment deployment, String repository) {
    public static final String STARTED = EventOutbox.STARTED;
    public static final String FINISHED = EventOutbox.FINISHED;
}
