package dev.greenlight.api;

import dev.greenlight.approval.Decisions;
import dev.greenlight.audit.AuditEvent;
import dev.greenlight.audit.AuditLog;
import dev.greenlight.config.AccessRule;
import dev.greenlight.deploy.Deployment;
import dev.greenlight.deploy.DeploymentStatus;
import dev.greenlight.deploy.DeploymentStore;
import dev.greenlight.http.ApiError;
import dev.greenlight.http.Json;
import dev.greenlight.http.JsonReply;
import dev.greenlight.http.RemoteAddress;
import org.apache.camel.Exchange;

/**
 * Approve, reject and promote: {@code POST /api/v1/deployments/{id}/approve|reject|promote}, each with an optional
 * {@code {"reason"}} kept in the audit trail. Any token allowed on the environment may decide, except that the token
 * that triggered a deployment may not approve or reject it: a second pair of eyes is the point of an approval.
 */
public final class ApprovalApi {
    /** Looks up {id} within the caller's scope, as every call on one deployment does. */
    private final DeploymentApi api;
    private final ApiAuth auth;
    private final Decisions decisions;
    private final DeploymentStore deployments;
    private final AuditLog audit;

    public ApprovalApi(DeploymentApi api, ApiAuth auth, Decisions decisions, DeploymentStore deployments,
                       AuditLog audit) {
        this.api = api;
        this.auth = auth;
        this.decisions = decisions;
        this.deployments = deployments;
        this.audit = audit;
    }

    /** POST /api/v1/deployments/{id}/approve: queued again (200); the route then wakes the dispatcher. */
    public void approve(Exchange exchange) {
        Decision decision = decision(exchange, Kind.APPROVE);
        if (!decisions.approve(decision.deployment(), decision.actor(), decision.source(), decision.reason())) {
            throw stale(decision.deployment(), Kind.APPROVE);
        }
        answer(exchange, decision.deployment());
    }

    /** POST /api/v1/deployments/{id}/reject: cancelled, with the reason (200). */
    public void reject(Exchange exchange) {
        Decision decision = decision(exchange, Kind.REJECT);
        if (!decisions.reject(decision.deployment(), decision.actor(), decision.source(), decision.reason())) {
            throw stale(decision.deployment(), Kind.REJECT);
        }
        answer(exchange, decision.deployment());
    }

    /** POST /api/v1/deployments/{id}/promote: running again, its pipeline goes on to the switch (200). */
    public void promote(Exchange exchange) {
        Decision decision = decision(exchange, Kind.PROMOTE);
        if (!decisions.promote(decision.deployment(), decision.actor(), decision.source(), decision.reason())) {
            throw stale(decision.deployment(), Kind.PROMOTE);
        }
        answer(exchange, decision.deployment());
    }

    private record Decision(Deployment deployment, String actor, String source, String reason) {
    }

    /** The three decisions: the status each needs, and how refusals name them. */
    private enum Kind {
        APPROVE("approve", "approved", "approval.refused", DeploymentStatus.AWAITING_APPROVAL),
        REJECT("reject", "rejected", "rejection.refused", DeploymentStatus.AWAITING_APPROVAL),
        PROMOTE("promote", "promoted", "promotion.refused", DeploymentStatus.AWAITING_PROMOTION);

        final String verb;
        final String done;
        final String refusal;
        final DeploymentStatus awaited;

        Kind(String verb, String done, String refusal, DeploymentStatus awaited) {
            this.verb = verb;
            this.done = done;
            this.refusal = refusal;
            this.awaited = awaited;
        }
    }

    /**
     * The checks every decision makes before anything changes: the caller may act on the environment (403), the body
     * is well-formed (400), the deployment waits for this decision (409, saying its status), and for an approval
     * or rejection the caller did not trigger it (403, saying why).
     */
    private Decision decision(Exchange exchange, Kind kind) {
        AccessRule caller = ApiAuth.caller(exchange);
        Deployment d = api.deployment(exchange);
        String source = RemoteAddress.of(exchange);
        auth.authorize(caller, d.app(), d.environment(), kind.refusal, source);
        String reason = DeploymentApi.reasonOf(exchange);
        if (d.status() != kind.awaited) throw notAwaiting(d, kind);
        if (kind.awaited == DeploymentStatus.AWAITING_APPROVAL && caller.name().equals(d.triggeredBy())) {
            String why = "token " + caller.name() + " triggered deployment " + d.id() + " and may not " + kind.verb
                    + " it itself: another token allowed on " + d.app() + "/" + d.environment() + " must " + kind.verb
                    + " it" + (kind == Kind.REJECT ? " (to withdraw it, cancel it instead)" : "");
            audit.record(AuditEvent.of(caller.name(), kind.refusal, "forbidden")
                    .target(d.app(), d.environment(), d.version()).deployment(d.id()).source(source).detail(why));
            throw ApiError.forbidden(why).audited();
        }
        return new Decision(d, caller.name(), source, reason);
    }

    /** The guarded change found the deployment moved meanwhile (decided by someone else, expired, cancelled). */
    private ApiError stale(Deployment d, Kind kind) {
        return notAwaiting(deployments.find(d.id()).orElseThrow(), kind);
    }

    private static ApiError notAwaiting(Deployment d, Kind kind) {
        return ApiError.conflict("deployment " + d.id() + " is " + d.status().key() + ", not " + kind.awaited.key()
                + ": it cannot be " + kind.done);
    }

    private void answer(Exchange exchange, Deployment d) {
        JsonReply.set(exchange, 200, Json.write(DeploymentView.of(deployments.find(d.id()).orElseThrow(), null)));
    }
}
