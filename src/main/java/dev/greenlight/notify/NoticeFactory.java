package dev.greenlight.notify;

import dev.greenlight.config.NotificationEvent;
import dev.greenlight.deploy.Deployment;
import dev.greenlight.deploy.DeploymentStatus;
import dev.greenlight.deploy.Step;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Writes the notices: what a deployment's status change, an alert about it, or a service-wide alert says. */
public final class NoticeFactory {
    /** A reason is a line in a chat message; the deployment's record has the whole of it. */
    static final int REASON = 500;

    private final String publicUrl;
    private final Clock clock;

    /** @param publicUrl {@code github.public-url}, where the API is reached from outside; null: no links */
    public NoticeFactory(String publicUrl, Clock clock) {
        this.publicUrl = publicUrl;
        this.clock = clock;
    }

    /** The event a status change is, if it is one the channels hear of (queued and rolling back are not). */
    static Optional<NotificationEvent> eventOf(DeploymentStatus status) {
        return Optional.ofNullable(switch (status) {
            case RUNNING -> NotificationEvent.STARTED;
            case SUCCEEDED -> NotificationEvent.SUCCEEDED;
            case FAILED -> NotificationEvent.FAILED;
            case ROLLED_BACK -> NotificationEvent.ROLLED_BACK;
            case ROLLBACK_FAILED -> NotificationEvent.ROLLBACK_FAILED;
            case CANCELLED -> NotificationEvent.CANCELLED;
            case AWAITING_APPROVAL -> NotificationEvent.AWAITING_APPROVAL;
            case AWAITING_PROMOTION -> NotificationEvent.AWAITING_PROMOTION;
            case QUEUED, ROLLING_BACK -> null;
        });
    }

    /** A status change: the deployment as it now is, with the step that failed when it ended badly. */
    public Notice statusChange(NotificationEvent event, Deployment d, List<Step> steps) {
        boolean ended = d.status().terminal();
        String reason = ended && d.status() != DeploymentStatus.SUCCEEDED || !ended && event != NotificationEvent.STARTED
                ? d.statusDetail() : null;
        return deploymentNotice(event, d, title(event, d), event.failure() ? failingStep(steps) : null, reason,
                ended ? duration(d) : null);
    }

    /** An alert about a deployment under way (its hosts' resources, its health checks, its watch). */
    public Notice alert(NotificationEvent event, Deployment d, List<Step> steps, String reason) {
        String what = switch (event) {
            case HOST_CHECK_FAILED -> "host check failed";
            case HEALTH_CHECK_FAILED -> "health check failed";
            default -> "high error rate during the watch";
        };
        return deploymentNotice(event, d, d.app() + "/" + d.environment() + ": " + what + " deploying " + d.version(),
                failingStep(steps), reason, null);
    }

    /** An alert about an environment (a review trigger), with its figures. */
    public Notice environmentAlert(NotificationEvent event, String app, String environment, String title,
                                   String reason, Map<String, Object> figures) {
        return new Notice(event.key(), event.severity().key(), app + "/" + environment + ": " + title, app,
                environment, null, null, null, null, null, null, null, Texts.cut(reason, REASON), Notice.Links.NONE,
                figures, Instant.now(clock));
    }

    /** An alert about the service itself (bad webhook signatures): no app, no environment. */
    public Notice serviceAlert(NotificationEvent event, String title, String reason, Map<String, Object> figures) {
        return new Notice(event.key(), event.severity().key(), title, null, null, null, null, null, null, null, null,
                null, Texts.cut(reason, REASON), Notice.Links.NONE, figures, Instant.now(clock));
    }

    private Notice deploymentNotice(NotificationEvent event, Deployment d, String title, String failingStep,
                                    String reason, Long duration) {
        return new Notice(event.key(), event.severity().key(), title, d.app(), d.environment(), d.id(), d.version(),
                d.previousVersion(), d.triggeredBy(), d.status().key(), duration, failingStep,
                Texts.cut(reason, REASON), links(d), null, Instant.now(clock));
    }

    private static String title(NotificationEvent event, Deployment d) {
        String where = d.app() + "/" + d.environment() + ": " + d.version();
        return where + switch (event) {
            case STARTED -> " is deploying" + (d.previousVersion() == null ? "" : " (replacing " + d.previousVersion() + ")");
            case SUCCEEDED -> " is live";
            case FAILED -> " failed";
            case ROLLED_BACK -> " failed and was rolled back"
                    + (d.previousVersion() == null ? "" : " to " + d.previousVersion());
            case ROLLBACK_FAILED -> " failed and its ROLLBACK FAILED: the environment is locked";
            case CANCELLED -> " was cancelled";
            case AWAITING_APPROVAL -> " awaits approval";
            case AWAITING_PROMOTION -> " awaits promotion: the idle colour is ready";
            default -> " " + event.key();
        };
    }

    /**
     * The step that made it fail: the last failed one before its rollback began (the rollback's own steps are named
     * rollback-…), as the incident report judges it.
     */
    static String failingStep(List<Step> steps) {
        Step failed = null;
        for (Step s : steps) {
            if (s.stage().startsWith("rollback")) break;
            if ("failed".equals(s.status()) || "interrupted".equals(s.status())) failed = s;
        }
        if (failed == null) return null;
        String where = failed.host() == null ? "" : " on " + failed.host();
        String why = failed.detail() == null ? "" : ": " + Texts.cut(failed.detail(), 200);
        return failed.stage() + where + why;
    }

    private static Long duration(Deployment d) {
        Instant from = d.startedAt() != null ? d.startedAt() : d.createdAt();
        return d.finishedAt() == null || from == null ? null : Duration.between(from, d.finishedAt()).toSeconds();
    }

    /** A rolled-back deployment (or one whose rollback failed) always gets an incident report written for it. */
    private Notice.Links links(Deployment d) {
        if (publicUrl == null) return Notice.Links.NONE;
        String deployment = publicUrl + "/api/v1/deployments/" + d.id();
        boolean report = d.status() == DeploymentStatus.ROLLED_BACK || d.status() == DeploymentStatus.ROLLBACK_FAILED;
        return new Notice.Links(deployment, report ? deployment + "/incident" : null);
    }
}
