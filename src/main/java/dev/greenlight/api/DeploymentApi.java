package dev.greenlight.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.greenlight.audit.AuditLog;
import dev.greenlight.config.AccessRule;
import dev.greenlight.config.EnvironmentConfig;
import dev.greenlight.config.CurrentConfig;
import dev.greenlight.config.GreenlightConfig;
import dev.greenlight.deploy.Cancellations;
import dev.greenlight.deploy.Deployment;
import dev.greenlight.deploy.DeploymentQueue;
import dev.greenlight.deploy.DeploymentRequest;
import dev.greenlight.deploy.DeploymentStatus;
import dev.greenlight.deploy.DeploymentStore;
import dev.greenlight.deploy.EnvironmentLease;
import dev.greenlight.deploy.StepStore;
import dev.greenlight.deploy.TriggerKind;
import dev.greenlight.deploy.Versions;
import dev.greenlight.http.ApiError;
import dev.greenlight.http.ApiErrors;
import dev.greenlight.http.Json;
import dev.greenlight.http.JsonReply;
import dev.greenlight.http.RemoteAddress;
import dev.greenlight.incident.IncidentReportStore;
import dev.greenlight.store.Page;
import dev.greenlight.store.Scope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;

/** The authenticated HTTP API: manual triggers and the read side (deployments, environments). */
public final class DeploymentApi {
    private static final List<String> CREATE_FIELDS = List.of("app", "environment", "version", "reason");
    private static final List<String> REASON_ONLY = List.of("reason");
    private static final List<String> ROLLBACK_FIELDS = List.of("reason", "restore");

    private final CurrentConfig config;
    private final ApiAuth auth;
    private final DeploymentQueue queue;
    private final DeploymentStore deployments;
    private final StepStore steps;
    private final EnvironmentLease lease;
    private final AuditLog audit;
    private final Cancellations cancels;
    private final IncidentReportStore incidents;

    public DeploymentApi(CurrentConfig config, ApiAuth auth, DeploymentQueue queue, DeploymentStore deployments,
                         StepStore steps, EnvironmentLease lease, AuditLog audit, Cancellations cancels,
                         IncidentReportStore incidents) {
        this.cancels = cancels;
        this.incidents = incidents;
        this.config = config;
        this.auth = auth;
        this.queue = queue;
        this.deployments = deployments;
        this.steps = steps;
        this.lease = lease;
        this.audit = audit;
    }

    /** POST /api/v1/deployments */
    public void create(Exchange exchange) {
        exchange.setProperty(ApiErrors.ACTION, "deployment.refused");
        AccessRule caller = caller(exchange);
        JsonNode body = ApiBody.object(exchange, CREATE_FIELDS);
        String app = ApiBody.text(body, "app", true);
        exchange.setProperty(ApiErrors.APP, app);
        String environment = ApiBody.text(body, "environment", true);
        exchange.setProperty(ApiErrors.ENVIRONMENT, environment);
        String version = ApiBody.text(body, "version", true);
        exchange.setProperty(ApiErrors.VERSION, version);
        String reason = ApiBody.text(body, "reason", false);
        EnvironmentConfig env = environment(app, environment);
        auth.authorize(caller, app, environment, "deployment.refused", RemoteAddress.of(exchange));
        if (!Versions.isValidTag(version)) throw ApiError.unprocessable(Versions.invalidTagMessage(version));
        Deployment d = queue.enqueue(new DeploymentRequest(app, environment, version, null, env.strategy().key(),
                TriggerKind.MANUAL, caller.name(), reason, null, null), RemoteAddress.of(exchange));
        JsonReply.set(exchange, 202, queuedAnswer(d));
        exchange.setProperty("greenlightQueued", true);
    }

    /**
     * POST /api/v1/deployments/{id}/rollback: deploys again the version that was live before {id}. Optional body
     * {reason, restore}: {@code "restore": true} asks a blue-green rollback to restore the database from {id}'s backup
     * too (stored on the rollback deployment).
     */
    public void rollback(Exchange exchange) {
        AccessRule caller = caller(exchange);
        Deployment target = deployment(exchange);
        EnvironmentConfig env = environment(target.app(), target.environment());
        auth.authorize(caller, target.app(), target.environment(), "rollback.refused", RemoteAddress.of(exchange));
        Optional<JsonNode> body = ApiBody.optionalObject(exchange, ROLLBACK_FIELDS);
        String given = body.map(b -> ApiBody.text(b, "reason", false)).orElse(null);
        boolean restore = body.map(b -> ApiBody.bool(b, "restore")).orElse(false);
        if (restore && !env.command("restore").isPresent()) {
            throw ApiError.unprocessable(target.app() + "/" + target.environment() + " has no database restore "
                    + "(commands.backup and commands.restore of a blue-green environment): restore cannot be asked for");
        }
        if (restore) refuseRestoreOf(target);
        if (target.status() == DeploymentStatus.QUEUED) {
            throw ApiError.conflict("deployment " + target.id() + " has not run yet: cancel it instead");
        }
        if (target.previousVersion() == null) {
            throw ApiError.conflict("deployment " + target.id() + " was the first of " + target.app() + "/"
                    + target.environment() + ": there is no earlier version to return to");
        }
        String reason = "rollback of deployment " + target.id() + (given == null ? "" : ": " + given);
        Deployment d = queue.enqueue(new DeploymentRequest(target.app(), target.environment(), target.previousVersion(),
                null, env.strategy().key(), TriggerKind.ROLLBACK, caller.name(), reason, target.id(), null, restore),
                RemoteAddress.of(exchange));
        JsonReply.set(exchange, 202, queuedAnswer(d));
    }

    /**
     * A restore returns the database to the backup {@code target} took before its switch, so only a deployment that
     * succeeded with a backup has one to return to; a rollback that already happened restored what it needed.
     */
    private static void refuseRestoreOf(Deployment target) {
        if (target.status() != DeploymentStatus.SUCCEEDED) {
            throw ApiError.conflict("deployment " + target.id() + " is " + target.status().key() + ": restore is only "
                    + "for a rollback of a deployment that succeeded (a rollback that already ran restored what the "
                    + "deployment had written)");
        }
        if (target.blueGreen() == null || target.blueGreen().backupName() == null) {
            throw ApiError.unprocessable("deployment " + target.id() + " recorded no database backup: there is "
                    + "nothing to restore");
        }
    }

    /**
     * A queued deployment as the answer shows it; when a failed rollback locks its environment the answer says so:
     * the deployment stays queued and runs once someone unlocks the environment.
     */
    private String queuedAnswer(Deployment d) {
        ObjectNode answer = Json.MAPPER.valueToTree(DeploymentView.of(d, null));
        lease.lockNotice(d.app(), d.environment()).ifPresent(notice -> notice.forEach(answer::putPOJO));
        return Json.write(answer);
    }

    /**
     * POST /api/v1/deployments/{id}/cancel: a queued one, or one awaiting approval, is cancelled (200); a running one
     * (or one awaiting promotion) stops after its current step and rolls back (202); one past its last cancel point,
     * rolling back or ended is refused with 409 saying why.
     */
    public void cancel(Exchange exchange) {
        AccessRule caller = caller(exchange);
        Deployment d = deployment(exchange);
        auth.authorize(caller, d.app(), d.environment(), "cancel.refused", RemoteAddress.of(exchange));
        String reason = reasonOf(exchange);
        String source = RemoteAddress.of(exchange);
        if (d.status() == DeploymentStatus.QUEUED && cancels.cancelQueued(d, caller.name(), source, reason)
                || d.status() == DeploymentStatus.AWAITING_APPROVAL
                && cancels.cancelAwaitingApproval(d, caller.name(), source, reason)) {
            JsonReply.set(exchange, 200, Json.write(DeploymentView.of(deployments.find(d.id()).orElseThrow(), null)));
            return;
        }
        Optional<String> refusal = cancels.requestStop(d, caller.name(), source, reason);
        if (refusal.isEmpty()) {
            JsonReply.set(exchange, 202, Json.write(DeploymentView.of(deployments.find(d.id()).orElseThrow(), null)));
            return;
        }
        throw ApiError.conflict(refusal.get());
    }

    /** The optional {"reason"} body of cancel, unlock, approve, reject and promote. */
    static String reasonOf(Exchange exchange) {
        return ApiBody.optionalObject(exchange, REASON_ONLY).map(body -> ApiBody.text(body, "reason", false))
                .orElse(null);
    }

    /** GET /api/v1/deployments: only those of environments the caller may see. */
    public void list(Exchange exchange) {
        DeploymentStatus status = query(exchange, "status") == null ? null : DeploymentStatus.parse(query(exchange, "status"))
                .orElseThrow(() -> ApiError.badRequest("status must be one of " + statuses()));
        Page page = Paging.page(exchange);
        List<Deployment> rows = deployments.list(ApiAuth.scope(exchange), query(exchange, "app"),
                query(exchange, "environment"), status, null, page);
        JsonReply.set(exchange, 200, Paging.reply("deployments",
                rows.stream().map(d -> DeploymentView.of(d, null)).toList(), page, DeploymentView::id));
    }

    /** GET /api/v1/deployments/{id} */
    public void get(Exchange exchange) {
        Deployment d = deployment(exchange);
        String incidentUrl = incidents.exists(d.id()) ? IncidentApi.url(config.get().github().publicUrl(), d.id()) : null;
        JsonReply.set(exchange, 200, Json.write(DeploymentView.of(d, steps.forDeployment(d.id()), incidentUrl)));
    }

    /**
     * GET /api/v1/environments, after the route read every environment's state (sql/environment-state.sql): those
     * the caller may see.
     */
    public void environments(Exchange exchange) {
        Scope scope = ApiAuth.scope(exchange);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = exchange.getMessage().getBody(List.class);
        Map<String, Map<String, Object>> state = new java.util.HashMap<>();
        rows.forEach(row -> state.put(row.get("app") + "/" + row.get("environment"), row));
        List<Map<String, Object>> out = new ArrayList<>();
        config.get().environments().filter(env -> scope.allows(env.app(), env.name()))
                .sorted((a, b) -> a.key().compareTo(b.key())).forEach(env -> {
            Map<String, Object> row = state.getOrDefault(env.key(), Map.of());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("app", env.app());
            m.put("environment", env.name());
            m.put("strategy", env.strategy().key());
            m.put("hosts", env.hosts().stream().map(Object::toString).toList());
            m.put("liveVersion", row.get("live_version"));
            m.put("liveColor", row.get("live_color"));
            m.put("running", deploymentOf(row.get("running_id")));
            m.put("queued", row.get("queued") == null ? 0 : ((Number) row.get("queued")).intValue());
            String holder = (String) row.get("lease_holder");
            Long lockedBy = EnvironmentLease.lockingDeployment(holder).orElse(null);
            m.put("locked", lockedBy != null);
            m.put("lockedBy", lockedBy);
            // the instance whose pipeline holds the environment now, and until when its lease runs without a beat
            m.put("leaseHolder", lockedBy == null ? holder : null);
            m.put("leaseExpiresAt", lockedBy == null && holder != null ? instant(row.get("lease_expires_at")) : null);
            m.put("lastDeployment", deploymentOf(row.get("last_id")));
            out.add(m);
        });
        JsonReply.set(exchange, 200, Json.write(Map.of("environments", out)));
    }

    private DeploymentView deploymentOf(Object id) {
        return id == null ? null
                : deployments.find(((Number) id).longValue()).map(d -> DeploymentView.of(d, null)).orElse(null);
    }

    private static java.time.Instant instant(Object timestamp) {
        if (timestamp instanceof java.sql.Timestamp t) return t.toInstant();
        if (timestamp instanceof java.time.OffsetDateTime t) return t.toInstant();
        return timestamp instanceof java.time.Instant t ? t : null;
    }

    /** POST /api/v1/environments/{app}/{environment}/unlock: frees an environment locked by a failed rollback. */
    public void unlock(Exchange exchange) {
        AccessRule caller = caller(exchange);
        String app = exchange.getMessage().getHeader("app", String.class);
        String environment = exchange.getMessage().getHeader("environment", String.class);
        environment(app, environment);
        auth.authorize(caller, app, environment, "unlock.refused", RemoteAddress.of(exchange));
        String reason = reasonOf(exchange); // read before anything changes: a bad body unlocks nothing
        Long lockedBy = lease.lockedBy(app, environment).orElseThrow(() ->
                ApiError.conflict(app + "/" + environment + " is not locked"));
        if (!lease.unlock(app, environment)) throw ApiError.conflict(app + "/" + environment + " is not locked");
        audit.record(dev.greenlight.audit.AuditEvent.of(caller.name(), "environment.unlocked", "unlocked")
                .target(app, environment, null).deployment(lockedBy).source(RemoteAddress.of(exchange))
                .detail(reason));
        JsonReply.set(exchange, 200, Json.write(Map.of("app", app, "environment", environment, "unlocked", true,
                "lockedBy", lockedBy)));
    }

    /** The caller the route's authentication step found. */
    AccessRule caller(Exchange exchange) {
        return ApiAuth.caller(exchange);
    }

    /** The deployment {id}; one the caller may not see is "not found" too, so ids of other environments say nothing. */
    Deployment deployment(Exchange exchange) {
        String raw = exchange.getMessage().getHeader("id", String.class);
        long id;
        try {
            id = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("deployment id must be a number");
        }
        Scope scope = ApiAuth.scope(exchange);
        return deployments.find(id).filter(d -> scope.allows(d.app(), d.environment()))
                .orElseThrow(() -> ApiError.notFound("no deployment " + id));
    }

    EnvironmentConfig environment(String app, String environment) {
        GreenlightConfig current = config.get();
        if (!current.apps().containsKey(app)) throw ApiError.notFound("unknown app " + app);
        return current.environment(app, environment)
                .orElseThrow(() -> ApiError.notFound("app " + app + " has no environment " + environment));
    }

    /** A query parameter, null when absent or blank; 400 for a NUL, which no filter matches and no store can take. */
    static String query(Exchange exchange, String name) {
        String v = exchange.getMessage().getHeader(name, String.class);
        if (v != null && v.indexOf('\0') >= 0) {
            throw ApiError.badRequest("query parameter " + name + " holds a NUL character (\\u0000)");
        }
        return v == null || v.isBlank() ? null : v;
    }

    private static String statuses() {
        return java.util.Arrays.stream(DeploymentStatus.values()).map(DeploymentStatus::key).toList().toString();
    }
}
