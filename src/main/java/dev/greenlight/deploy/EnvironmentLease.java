package dev.greenlight.deploy;

import dev.greenlight.audit.AuditEvent;
import dev.greenlight.audit.AuditLog;
import dev.greenlight.store.Jdbc;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The per-environment lock, kept in the database so that every Greenlight instance on the same database respects
 * it. A lease is taken with one conditional update; it expires unless its holder renews it, so a crashed instance
 * does not hold an environment forever.
 *
 * <p>Every expiry is set and judged by the database's clock ({@code current_timestamp} in the SQL, the same on
 * PostgreSQL and H2), never by an instance's own: instances whose clocks disagree still agree on who holds a lease.
 */
public final class EnvironmentLease {
    /** The expiry of a lease taken or renewed now; its parameter is the TTL in milliseconds. */
    private static final String EXPIRY = Jdbc.NOW_PLUS_MILLIS;

    private final Jdbc jdbc;
    private final String holder;
    private final Duration ttl;
    private final AuditLog audit;

    /** @param audit records every take of a lease that its holder let lapse (a takeover) */
    public EnvironmentLease(Jdbc jdbc, String holder, Duration ttl, AuditLog audit) {
        this.jdbc = jdbc;
        this.holder = holder;
        this.ttl = ttl;
        this.audit = audit;
    }

    public String holder() {
        return holder;
    }

    /** Makes sure the environment has its state row (once per configured environment, at start-up). */
    public void register(String app, String environment) {
        boolean exists = jdbc.queryOne("select 1 from environment_state where app = ? and environment = ?",
                rs -> true, app, environment).isPresent();
        if (!exists) {
            try {
                jdbc.update("insert into environment_state (app, environment) values (?, ?)", app, environment);
            } catch (dev.greenlight.store.StoreException e) {
                if (!e.isDuplicateKey()) throw e; // another instance registered it first
            }
        }
    }

    /**
     * Takes the environment's lease when it is free or has lapsed. Taking a lapsed one is a takeover: its holder
     * (a dead instance, or a pipeline that died) never released it, and whatever it left running there is now the
     * taker's to settle. The takeover is audited in the transaction that takes the lease, so the trail names every
     * change of hands; the row is read under lock first, so the holder named is the one replaced.
     */
    public boolean tryAcquire(String app, String environment) {
        return jdbc.inTransaction(c -> {
            Optional<String> lapsedHolder = Jdbc.query(c, "select lease_holder, lease_expires_at < current_timestamp "
                            + "from environment_state where app = ? and environment = ? for update",
                    rs -> rs.getString(1) != null && rs.getBoolean(2) ? rs.getString(1) : null, app, environment)
                    .stream().filter(Objects::nonNull).findFirst();
            boolean taken = Jdbc.update(c, "update environment_state set lease_holder = ?, lease_expires_at = "
                            + EXPIRY + " where app = ? and environment = ? and (lease_holder is null "
                            + "or lease_expires_at < current_timestamp)",
                    holder, ttl.toMillis(), app, environment) == 1;
            if (taken) lapsedHolder.ifPresent(previous -> audit.record(c, takeover(app, environment, previous)));
            return taken;
        });
    }

    private AuditEvent takeover(String app, String environment, String previous) {
        return AuditEvent.of(holder, "lease.takeover", "taken")
                .target(app, environment, null)
                .detail("took over the lease of " + app + "/" + environment + " from " + previous
                        + (previous.equals(holder) ? " (this instance: its pipeline there ended without releasing it)"
                        : ", whose lease lapsed without a heartbeat"));
    }

    /**
     * Extends the lease of the environment where {@code deploymentId} runs, while it is this instance's, has not
     * lapsed, and the deployment still runs, awaits promotion (its pipeline waits before the switch, holding the
     * environment) or rolls back there. A lapsed lease is never revived: once it has
     * lapsed, another instance may already be settling the deployment as interrupted.
     *
     * @return false when there was no such lease to renew
     */
    public boolean renew(long deploymentId) {
        return jdbc.update("update environment_state set lease_expires_at = " + EXPIRY
                        + " where lease_holder = ? and lease_expires_at >= current_timestamp and exists ("
                        + "select 1 from deployments d where d.id = ? and d.app = environment_state.app "
                        + "and d.environment = environment_state.environment and d.status in (?, ?, ?))",
                ttl.toMillis(), holder, deploymentId, DeploymentStatus.RUNNING.key(),
                DeploymentStatus.AWAITING_PROMOTION.key(), DeploymentStatus.ROLLING_BACK.key()) == 1;
    }

    public void release(String app, String environment) {
        jdbc.update("update environment_state set lease_holder = null, lease_expires_at = null where app = ? "
                + "and environment = ? and lease_holder = ?", app, environment, holder);
    }

    /** Holder name of an environment locked after a failed rollback; only {@link #unlock} frees it. */
    static final String LOCKED_PREFIX = "locked:rollback_failed:";
    private static final Instant NEVER = Instant.parse("9999-12-31T00:00:00Z");

    /**
     * After a failed rollback nobody knows what the hosts run: the environment stays locked, across restarts,
     * until a person has looked and unlocks it.
     */
    public void lockAfterFailedRollback(String app, String environment, long deploymentId) {
        jdbc.update("update environment_state set lease_holder = ?, lease_expires_at = ? where app = ? "
                + "and environment = ?", LOCKED_PREFIX + deploymentId, NEVER, app, environment);
    }

    /** @return true when the environment was locked and is now free */
    public boolean unlock(String app, String environment) {
        return jdbc.update("update environment_state set lease_holder = null, lease_expires_at = null where app = ? "
                + "and environment = ? and lease_holder like ?", app, environment, LOCKED_PREFIX + "%") == 1;
    }

    private static final String LOCK_HOLDER = "select lease_holder from environment_state where app = ? "
            + "and environment = ?";

    /** The deployment whose failed rollback locks the environment, if it is locked. */
    public Optional<Long> lockedBy(String app, String environment) {
        return jdbc.queryOne(LOCK_HOLDER, rs -> rs.getString(1), app, environment)
                .flatMap(EnvironmentLease::lockingDeployment);
    }

    /**
     * What an answer that queued a deployment adds when a failed rollback locks its environment: the deployment stays
     * queued and runs once someone has checked the hosts and unlocked the environment. Empty when it is not locked.
     */
    public Optional<Map<String, Object>> lockNotice(String app, String environment) {
        return lockedBy(app, environment).map(lockedBy -> lockNotice(app, environment, lockedBy));
    }

    /** The same, inside the caller's transaction (which may hold the pool's last free connection). */
    public Optional<Map<String, Object>> lockNotice(Connection c, String app, String environment) throws SQLException {
        // a free environment's holder is null: no notice
        return Jdbc.query(c, LOCK_HOLDER, rs -> rs.getString(1), app, environment).stream()
                .filter(Objects::nonNull).findFirst().flatMap(EnvironmentLease::lockingDeployment).map(lockedBy -> lockNotice(app, environment, lockedBy));
    }

    private static Map<String, Object> lockNotice(String app, String environment, long lockedBy) {
        Map<String, Object> notice = new LinkedHashMap<>();
        notice.put("environmentLocked", true);
        notice.put("lockedBy", lockedBy);
        notice.put("message", app + "/" + environment + " is locked since the rollback of deployment " + lockedBy
                + " failed: this deployment is queued and starts only after someone has checked the hosts and "
                + "unlocked the environment (POST /api/v1/environments/" + app + "/" + environment + "/unlock)");
        return notice;
    }

    /**
     * Whether this instance still holds, unexpired by the database's clock, the lease of the environment where
     * {@code deploymentId} runs: what a pipeline checks before each step, so that once the lease has lapsed or
     * changed hands it changes nothing more (the heartbeat only stops renewing it; it does not stop the run).
     */
    public boolean holds(long deploymentId) {
        return jdbc.queryOne("select count(*) from environment_state s join deployments d on d.app = s.app "
                        + "and d.environment = s.environment where d.id = ? and s.lease_holder = ? "
                        + "and s.lease_expires_at >= current_timestamp", rs -> rs.getLong(1) > 0, deploymentId, holder)
                .orElse(false);
    }

    /** The deployment a lease holder names when it is the lock of a failed rollback. */
    public static Optional<Long> lockingDeployment(String holder) {
        return holder != null && holder.startsWith(LOCKED_PREFIX)
                ? Optional.of(Long.parseLong(holder.substring(LOCKED_PREFIX.length()))) : Optional.empty();
    }

    /** Environments whose lease has lapsed while a deployment there still says it runs: its runner died. */
    public List<String[]> lapsed() {
        return jdbc.query("select app, environment from environment_state where lease_holder is not null "
                + "and lease_expires_at < current_timestamp", rs -> new String[] {rs.getString(1), rs.getString(2)});
    }

    public Optional<String> liveVersion(String app, String environment) {
        return jdbc.queryOne("select live_version from environment_state where app = ? and environment = ?",
                rs -> rs.getString(1), app, environment);
    }

    /** The live version and, for blue-green, the colour that takes traffic (null for rolling). */
    public void setLive(java.sql.Connection c, String app, String environment, String version, String color,
                        long deploymentId) throws java.sql.SQLException {
        Jdbc.update(c, "update environment_state set live_version = ?, live_color = ?, live_deployment_id = ? "
                + "where app = ? and environment = ?", version, color, deploymentId, app, environment);
    }

    public Optional<String> liveColor(String app, String environment) {
        return jdbc.queryOne("select live_color from environment_state where app = ? and environment = ?",
                rs -> rs.getString(1), app, environment);
    }
}
