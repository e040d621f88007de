package dev.greenlight.notify;

import dev.greenlight.config.CurrentConfig;
import dev.greenlight.config.NotificationEvent;
import dev.greenlight.config.NotificationTarget;
import dev.greenlight.deploy.Deployment;
import dev.greenlight.deploy.DeploymentNotices;
import dev.greenlight.deploy.DeploymentStore;
import dev.greenlight.deploy.StepStore;
import dev.greenlight.store.Jdbc;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.camel.ExchangePattern;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides who hears what and queues it: a deployment's notices go to the channels its environment names in
 * {@code notify:}, service alerts to every channel; each channel only gets the events it selected (and, with
 * {@code severity: critical}, only critical ones and failures). Writing is all this does: delivery is the relay's
 * ({@code routes/notifications.camel.yaml}), so no provider can slow a deployment down.
 */
public final class Notifications implements DeploymentNotices {
    private static final Logger LOG = LoggerFactory.getLogger(Notifications.class);
    /** One pending wake-up is enough, however many notices are queued meanwhile. */
    static final String WAKE = "seda:notifications?size=1&discardWhenFull=true&waitForTaskToComplete=Never";

    private final CurrentConfig config;
    private final DeploymentStore deployments;
    private final StepStore steps;
    private final NotificationStore store;
    private final NoticeFactory notices;
    private final ReviewTriggers reviews;
    private final Jdbc jdbc;
    private ProducerTemplate producer;

    public Notifications(CurrentConfig config, DeploymentStore deployments, StepStore steps, NotificationStore store,
                         NoticeFactory notices, ReviewTriggers reviews, Jdbc jdbc) {
        this.config = config;
        this.deployments = deployments;
        this.steps = steps;
        this.store = store;
        this.notices = notices;
        this.reviews = reviews;
        this.jdbc = jdbc;
    }

    /** Where wake-ups go; without one (a store used on its own) the relay's timer finds the rows. */
    public void wakeThrough(ProducerTemplate producer) {
        this.producer = producer;
    }

    @Override
    public void changed(Connection c, long deploymentId) throws SQLException {
        Optional<Deployment> found = deployments.find(c, deploymentId);
        if (found.isEmpty()) return;
        Deployment d = found.get();
        Optional<NotificationEvent> event = NoticeFactory.eventOf(d.status());
        if (event.isEmpty()) return;
        List<String> channels = channelsOf(d);
        if (!channels.isEmpty()) {
            queue(c, channels, notices.statusChange(event.get(), d, event.get().failure()
                    ? steps.forDeployment(c, d.id()) : List.of()));
        }
        if (d.status().terminal()) {
            for (Notice warning : reviews.judge(c, d.app(), d.environment())) queue(c, channels, warning);
        }
    }

    @Override
    public void alert(long deploymentId, NotificationEvent event, String reason) {
        try {
            jdbc.inTransaction(c -> {
                Optional<Deployment> d = deployments.find(c, deploymentId);
                if (d.isPresent()) {
                    queue(c, channelsOf(d.get()), notices.alert(event, d.get(), steps.forDeployment(c, deploymentId),
                            reason));
                }
                return null;
            });
            wake();
        } catch (RuntimeException e) {
            // an alert that cannot be written must not change the deployment's course: it fails on its own anyway
            LOG.error("could not queue the {} alert of deployment {}", event.key(), deploymentId, e);
        }
    }

    /** An alert about the service itself, for every channel that selected it. */
    public void serviceAlert(Notice notice) {
        jdbc.inTransaction(c -> {
            queue(c, config.get().notifications().keySet().stream().sorted().toList(), notice);
            return null;
        });
        wake();
    }

    @Override
    public void wake() {
        if (producer != null) producer.sendBody(WAKE, ExchangePattern.InOnly, "wake");
    }

    private void queue(Connection c, List<String> channels, Notice notice) throws SQLException {
        NotificationEvent event = notice.kind();
        for (String name : channels) {
            NotificationTarget target = config.get().notifications().get(name);
            if (target != null && target.wants(event)) store.add(c, name, notice);
        }
    }

    private List<String> channelsOf(Deployment d) {
        return config.get().environment(d.app(), d.environment()).map(e -> e.notifications().stream())
                .orElseGet(Stream::empty).toList();
    }
}
