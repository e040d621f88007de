package dev.greenlight.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.greenlight.deploy.BlueGreenRecord;
import dev.greenlight.deploy.Deployment;
import dev.greenlight.deploy.Step;
import java.time.Instant;
import java.util.List;

/**
 * A deployment as the API shows it (with its steps when one deployment is asked for); a blue-green one with its
 * colours, backup, switch time and set-aside dump.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeploymentView(long id, String app, String environment, String version, String previousVersion,
                             String commitSha, String strategy, String trigger, String triggeredBy, String status,
                             String reason, Long rollbackOf, boolean cancelRequested, Instant createdAt,
                             Instant startedAt, Instant finishedAt, String detail, BlueGreenRecord blueGreen,
                             List<Step> steps) {
    public static DeploymentView of(Deployment d, List<Step> steps) {
        return new DeploymentView(d.id(), d.app(), d.environment(), d.version(), d.previousVersion(), d.commitSha(),
                d.strategy(), d.triggerKind(), d.triggeredBy(), d.status().key(), d.reason(), d.rollbackOf(),
                d.cancelRequested(), d.createdAt(), d.startedAt(), d.finishedAt(), d.statusDetail(),
                d.blueGreen().color() == null ? null : d.blueGreen(), steps);
    }
}
