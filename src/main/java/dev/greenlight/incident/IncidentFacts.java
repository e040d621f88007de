package dev.greenlight.incident;

import dev.greenlight.audit.AuditEvent;
import dev.greenlight.deploy.Deployment;
import dev.greenlight.deploy.Step;
import java.util.List;
import java.util.Optional;

/**
 * Everything an incident report says, as stored (the stores have already masked secrets): the deployment, its steps
 * and audit entries in order, the environment's state after the rollback, and the blue-green record when there is one.
 *
 * @param liveVersion the environment's live version now (null: nothing live)
 * @param lockedBy    the deployment whose failed rollback locks the environment, if it is locked
 */
public record IncidentFacts(Deployment deployment, List<Step> steps, List<AuditEvent> audit, String liveVersion,
                            Optional<Long> lockedBy, Optional<BlueGreenFacts> blueGreen) {
}
