package dev.greenlight.notify;

import dev.greenlight.deploy.Deployment;
import dev.greenlight.deploy.EventOutbox;

/**
 * Something the outside world should hear about a deployment: it started, it ended (with its status), or its
 * rollback left an incident report.
 *
 * @param id       the event's row in the outbox, marked sent once delivered
 * @param attempts how many tries of this event failed before (kinds that wait for an unreachable provider)
 */
public record DeploymentEvent(long id, String kind, Deployment deployment, String repository, int attempts) {
    public static final String STARTED = EventOutbox.STARTED;
    public static final String FINISHED = EventOutbox.FINISHED;
    public static final String INCIDENT = EventOutbox.INCIDENT;
}
