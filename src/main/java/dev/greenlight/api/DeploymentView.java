package dev.greenlight.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.greenlight.deploy.BlueGreenRecord;
import dev.greenlight.deploy.Deployment;
import dev.greenlight.deploy.Step;
import java.time.Instant;
import java.util.List;

/**
 * A deployment as the API shows it (with its steps when one deployment is asked for, and then with the link to its
 * incident report when a rollback wrote one); a blue-green one with its colours, backup, switch time and set-aside
 * dump. {@code decisionDeadline} is set while it awaits approval or promotion; {@code restoreRequested} only on a
 * rollback that asked for a restore; {@code ref} is the git ref a GitHub workflow run or deployment named, and
 * {@code githubDeploymentId} the GitHub deployment that reports this one.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeploymentView(long id, String app, String environment, String version, String previousVersion,
                             String commitSha, String strategy, String trigger, String triggeredBy, String status,
                             String reason, Long rollbackOf, boolean cancelRequested, Instant createdAt,
                             Instant startedAt, Instant finishedAt, String detail, Instant decisionDeadline,
                             String approvedBy, Instant approvedAt, String promotedBy, Instant promotedAt,
                             Boolean restoreRequested, BlueGreenRecord blueGreen, List<Step> steps,
                             String incidentUrl, String ref, Long githubDeploymentId) {
    public static DeploymentView of(Deployment d, List<Step> steps) {
        return of(d, steps, null);
    }

    public static DeploymentView of(Deployment d, List<Step> steps, String incidentUrl) {
        return new DeploymentView(d.id(), d.app(), d.environment(), d.version(), d.previousVersion(), d.commitSha(),
                d.strategy(), d.triggerKind(), d.triggeredBy(), d.status().key(), d.reason(), d.rollbackOf(),
                d.cancelRequested(), d.createdAt(), d.startedAt(), d.finishedAt(), d.statusDetail(),
                d.decisionDeadline(), d.approvedBy(), d.approvedAt(), d.promotedBy(), d.promotedAt(),
                d.restoreRequested() ? Boolean.TRUE : null, d.blueGreen().color() == null ? null : d.blueGreen(),
                steps, incidentUrl, d.gitRef(), d.githubDeploymentId());
    }
}
