package dev.greenlight.audit;

import java.time.Instant;

/** One entry of the audit trail: who did what, to which environment and version, when, with what outcome. */
public record AuditEvent(
        Long id,
        Instant at,
        String actor,
        String action,
        String app,
        String environment,
        String version,
        Long deploymentId,
        String outcome,
        String detail,
        String source) {

    public static AuditEvent of(String actor, String action, String outcome) {
        return new AuditEvent(null, null, actor, action, null, null, null, null, outcome, null, null);
    }

    public AuditEvent target(String app, String environment, String version) {
        return new AuditEvent(id, at, actor, action, app, environment, version, deploymentId, outcome, detail, source);
    }

    public AuditEvent deployment(Long deploymentId) {
        return new AuditEvent(id, at, actor, action, app, environment, version, deploymentId, outcome, detail, source);
    }

    public AuditEvent detail(String detail) {
        return new AuditEvent(id, at, actor, action, app, environment, version, deploymentId, outcome, detail, source);
    }

    public AuditEvent source(String source) {
        return new AuditEvent(id, at, actor, action, app, environment, version, deploymentId, outcome, detail, source);
    }
}
