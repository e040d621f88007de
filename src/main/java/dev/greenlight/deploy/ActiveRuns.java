package dev.greenlight.deploy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deployments whose pipeline is alive in this JVM, and the heartbeat that keeps their environments' leases.
 * Only these leases are renewed, not every lease the instance holds: a deployment whose pipeline died (its exchange
 * ended without the deployment ending) lets its lease lapse, and the dispatcher then settles it as interrupted
 * instead of the environment staying locked until a restart.
 */
public final class ActiveRuns {
    private static final Logger LOG = LoggerFactory.getLogger(ActiveRuns.class);

    private final EnvironmentLease lease;
    private final DeploymentStore deployments;
    private final Set<Long> running = ConcurrentHashMap.newKeySet();

    public ActiveRuns(EnvironmentLease lease, DeploymentStore deployments) {
        this.lease = lease;
        this.deployments = deployments;
    }

    public void begin(long deploymentId) {
        running.add(deploymentId);
    }

    public void end(long deploymentId) {
        running.remove(deploymentId);
    }

    /** How tests see which runs this instance keeps leases for. */
    boolean isActive(long deploymentId) {
        return running.contains(deploymentId);
    }

    /**
     * A started deployment (the body) on its way to the pipeline: active from now until the exchange that carries it
     * completes, however it completes (a failure outside every error handler too). The exchange is handed to the
     * pipeline's queue without waiting, so this completion travels with it and fires when the pipeline is over.
     */
    public void follow(Exchange exchange) throws InvalidPayloadException {
        long id = exchange.getMessage().getMandatoryBody(Long.class);
        begin(id);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                end(id);
            }
        });
    }

    /** The heartbeat: renews the lease of every environment where a pipeline of this JVM runs. */
    public void renewLeases() {
        for (long id : running) {
            if (lease.renew(id)) continue;
            // nothing to renew: the deployment has just ended, or its lease lapsed (this JVM stalled for most of a
            // TTL) and another instance may now settle it and take the environment
            running.remove(id);
            boolean ended = deployments.find(id).map(d -> d.status().terminal()).orElse(true);
            if (!ended) {
                LOG.error("deployment {}: its environment's lease lapsed while its pipeline runs here; the "
                        + "environment may be taken over and the deployment marked interrupted", id);
            }
        }
    }
}
