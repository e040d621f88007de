package dev.greenlight.deploy;

import dev.greenlight.config.Secrets;
import dev.greenlight.store.Filter;
import dev.greenlight.store.Jdbc;
import dev.greenlight.store.Page;
import dev.greenlight.store.Scope;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Deployments in the database. Every status change is guarded by the expected current status. Free text (a reason,
 * a status detail, which quotes failures) is stored with every secret masked, whoever wrote it.
 */
public final class DeploymentStore {
    private final Jdbc jdbc;
    private final Clock clock;
    private final Secrets secrets;

    public DeploymentStore(Jdbc jdbc, Clock clock, Secrets secrets) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.secrets = secrets;
    }

    /** Inserts a queued deployment inside the caller's transaction. */
    public Deployment create(Connection c, DeploymentRequest r) throws SQLException {
        long id = Jdbc.insert(c, "insert into deployments (app, environment, version, commit_sha, strategy, trigger_kind, "
                        + "triggered_by, status, reason, rollback_of, delivery_id, created_at, restore_requested, "
                        + "commit_time, git_ref, github_deployment_id) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                r.app(), r.environment(), r.version(), r.commitSha(), r.strategy(), r.triggerKind().key(),
                Jdbc.fit(r.triggeredBy(), 128), DeploymentStatus.QUEUED.key(), Jdbc.fit(secrets.redact(r.reason()), 1000),
                r.rollbackOf(), r.deliveryId(), Instant.now(clock), r.restoreRequested(), r.commitTime(), r.gitRef(),
                r.githubDeploymentId());
        return Jdbc.query(c, "select * from deployments where id = ?", DeploymentStore::map, id).get(0);
    }

    public Optional<Deployment> find(long id) {
        return jdbc.queryOne("select * from deployments where id = ?", DeploymentStore::map, id);
    }

    /** The same, inside the caller's transaction: what it changed there is seen. */
    public Optional<Deployment> find(Connection c, long id) throws SQLException {
        return Jdbc.query(c, "select * from deployments where id = ?", DeploymentStore::map, id).stream().findFirst();
    }

    /**
     * One page, newest first, within {@code scope}, of those created at {@code since} or later. Every filter is
     * optional.
     */
    public List<Deployment> list(Scope scope, String app, String environment, DeploymentStatus status,
                                 Instant since, Page page) {
        Filter f = scope.restrict(new Filter()).equal("app", app).equal("environment", environment)
                .equal("status", status == null ? null : status.key()).atLeast("created_at", since);
        return jdbc.query(f.newestFirst("deployments", page), DeploymentStore::map, f.params());
    }

    // a deployment awaiting approval keeps its place: nothing behind it starts until it is approved, rejected or expired
    private static final String NEXT_QUEUED = "select * from deployments where app = ? and environment = ? "
            + "and status = ? and not exists (select 1 from deployments w where w.app = deployments.app "
            + "and w.environment = deployments.environment and w.status = '"
            + DeploymentStatus.AWAITING_APPROVAL.key() + "') order by id limit 1";

    /**
     * The oldest queued deployment of an environment (arrival order is id order); none while a deployment there awaits
     * approval. In the caller's transaction (after {@link #lockQueue} with {@code exclusive}).
     */
    public Optional<Deployment> nextQueued(Connection c, String app, String environment) throws SQLException {
        return Jdbc.query(c, NEXT_QUEUED, DeploymentStore::map, app, environment, DeploymentStatus.QUEUED.key())
                .stream().findFirst();
    }

    /**
     * Locks an environment's queue until the caller's transaction ends. Enqueues take it shared and the dispatcher
     * exclusively, so the dispatcher's pick waits for every enqueue in flight: ids, allocated under the lock, can
     * then never become visible out of order. Enqueues do not wait for each other (their commits, each a WAL flush,
     * overlap). H2 has no shared row lock: there enqueues take turns, which costs little in-process.
     */
    public void lockQueue(Connection c, String app, String environment, boolean exclusive) throws SQLException {
        boolean shared = !exclusive && "PostgreSQL".equals(c.getMetaData().getDatabaseProductName());
        Jdbc.query(c, "select app from environment_state where app = ? and environment = ? for "
                + (shared ? "share" : "update"), rs -> rs.getString(1), app, environment);
    }

    public Optional<Deployment> running(String app, String environment) {
        return unfinished(app, environment).stream().findFirst();
    }

    /** Ids of an environment's deployments that have not ended (queued, awaiting a decision, running). */
    public List<Long> notEnded(String app, String environment) {
        List<String> ended = java.util.Arrays.stream(DeploymentStatus.values()).filter(DeploymentStatus::terminal)
                .map(DeploymentStatus::key).toList();
        List<Object> params = new java.util.ArrayList<>(List.of(app, environment));
        params.addAll(ended);
        return jdbc.query("select id from deployments where app = ? and environment = ? and status not in ("
                + String.join(", ", java.util.Collections.nCopies(ended.size(), "?")) + ") order by id",
                rs -> rs.getLong(1), params.toArray());
    }

    /**
     * Deployments of an environment that say a pipeline runs for them (running, awaiting promotion, rolling back),
     * however many newer ones there are.
     */
    public List<Deployment> unfinished(String app, String environment) {
        return jdbc.query("select * from deployments where app = ? and environment = ? and status in (?, ?, ?) "
                        + "order by id", DeploymentStore::map, app, environment, DeploymentStatus.RUNNING.key(),
                DeploymentStatus.AWAITING_PROMOTION.key(), DeploymentStatus.ROLLING_BACK.key());
    }

    /** An environment (app and name) the dispatcher may start a deployment in. */
    public record Startable(String app, String environment) {
    }

    /**
     * The environments with a queued deployment and none running, awaiting promotion or approval, or rolling back:
     * the only ones where the dispatcher can start something, found in one query, so that a pass over many
     * environments does not ask the database twice for each (a burst of webhooks wakes it again and again).
     */
    public List<Startable> startable() {
        return jdbc.query("select distinct q.app, q.environment from deployments q where q.status = ? and not exists "
                        + "(select 1 from deployments u where u.app = q.app and u.environment = q.environment "
                        + "and u.status in (?, ?, ?, ?)) order by q.app, q.environment",
                rs -> new Startable(rs.getString(1), rs.getString(2)), DeploymentStatus.QUEUED.key(),
                DeploymentStatus.RUNNING.key(), DeploymentStatus.AWAITING_PROMOTION.key(),
                DeploymentStatus.ROLLING_BACK.key(), DeploymentStatus.AWAITING_APPROVAL.key());
    }

    /** An environment where a deployment says a pipeline runs for it while nobody holds the lease: its runner died. */
    public record Interrupted(String app, String environment, String holder) {
    }

    /**
     * The environments with a running, awaiting-promotion or rolling-back deployment whose lease has lapsed (or is
     * free), with the holder whose lease lapsed: judged by the database's clock, like every lease.
     */
    public List<Interrupted> interrupted() {
        return jdbc.query("select distinct d.app, d.environment, s.lease_holder from deployments d join "
                        + "environment_state s on s.app = d.app and s.environment = d.environment where d.status in "
                        + "(?, ?, ?) and (s.lease_holder is null or s.lease_expires_at < current_timestamp)",
                rs -> new Interrupted(rs.getString(1), rs.getString(2), rs.getString(3)),
                DeploymentStatus.RUNNING.key(), DeploymentStatus.AWAITING_PROMOTION.key(),
                DeploymentStatus.ROLLING_BACK.key());
    }

    /**
     * Moves {@code id} from {@code from} to {@code to}; false when it was no longer in {@code from}. A terminal
     * {@code to} sets {@code finished_at} and the durations ({@link DeploymentDurations}) in the caller's transaction.
     */
    public boolean transition(Connection c, long id, DeploymentStatus from, DeploymentStatus to, String detail)
            throws SQLException {
        Instant now = Instant.now(clock);
        // started when it leaves the queue; a promoted deployment (awaiting_promotion → running) keeps its start
        String timestamps = from == DeploymentStatus.QUEUED && to == DeploymentStatus.RUNNING ? ", started_at = ?"
                : to.terminal() ? ", finished_at = ?" : "";
        List<Object> params = new ArrayList<>(List.of(to.key()));
        params.add(Jdbc.fit(secrets.redact(detail), 2000));
        if (!timestamps.isEmpty()) params.add(now);
        params.add(id);
        params.add(from.key());
        boolean moved = Jdbc.update(c, "update deployments set status = ?, status_detail = coalesce(?, status_detail)"
                + timestamps + " where id = ? and status = ?", params.toArray()) == 1;
        // every end, whichever path takes it, stores the durations the delivery figures read
        if (moved && to.terminal()) DeploymentDurations.write(c, id);
        return moved;
    }

    public void setPreviousVersion(Connection c, long id, String previousVersion) throws SQLException {
        Jdbc.update(c, "update deployments set previous_version = ? where id = ?", previousVersion, id);
    }

    /** Blue-green: the colour the deployment goes to and the one that was live (null for the first). */
    public void recordColors(long id, String color, String previousColor) {
        jdbc.update("update deployments set color = ?, previous_color = ? where id = ?", color, previousColor, id);
    }

    /** Blue-green: the name of the database backup about to be taken, and when. */
    public void recordBackup(long id, String name, Instant at) {
        jdbc.update("update deployments set backup_name = ?, backup_at = ? where id = ?", name, at, id);
    }

    /** Blue-green: the moment traffic began to move to the new colour. */
    public void recordSwitch(long id, Instant at) {
        jdbc.update("update deployments set switched_at = ? where id = ?", at, id);
    }

    /** Blue-green: the dump that sets aside the writes made since the backup, about to be taken before a restore. */
    public void recordSetAside(long id, String name, Instant at) {
        jdbc.update("update deployments set set_aside_name = ?, set_aside_at = ? where id = ?", name, at, id);
    }

    /**
     * Flags a queued, running or promotion-awaiting deployment to stop. Guarded by the pipeline not having closed
     * cancels ({@link #closeCancels}): false once it is finishing or rolling back.
     */
    public boolean requestCancel(long id) {
        return jdbc.update("update deployments set cancel_requested = ? where id = ? and status in (?, ?, ?) "
                        + "and cancel_closed is null", true, id, DeploymentStatus.QUEUED.key(),
                DeploymentStatus.RUNNING.key(), DeploymentStatus.AWAITING_PROMOTION.key()) == 1;
    }

    /**
     * The pipeline's point of no return: from here a cancel request is refused, with {@code why} ({@link CancelClosed})
     * as the reason. With {@code unlessRequested}, false (and nothing changed) when a cancel was requested first: the
     * pipeline must then honour it.
     */
    public boolean closeCancels(long id, CancelClosed why, boolean unlessRequested) {
        return jdbc.update("update deployments set cancel_closed = ? where id = ? and cancel_closed is null"
                + (unlessRequested ? " and cancel_requested = ?" : ""), unlessRequested
                ? new Object[] {why.key(), id, false} : new Object[] {why.key(), id}) == 1;
    }

    /** Why cancels of a deployment are refused, if the pipeline closed them. */
    public Optional<CancelClosed> cancelsClosed(long id) {
        return jdbc.queryOne("select cancel_closed from deployments where id = ?", rs -> rs.getString(1), id)
                .flatMap(CancelClosed::parse);
    }

    public boolean cancelRequested(long id) {
        return jdbc.queryOne("select cancel_requested from deployments where id = ?", rs -> rs.getBoolean(1), id)
                .orElse(false);
    }

    public <T> T inTransaction(Jdbc.Work<T> work) {
        return jdbc.inTransaction(work);
    }

    static Deployment map(ResultSet rs) throws SQLException {
        return new Deployment(rs.getLong("id"), rs.getString("app"), rs.getString("environment"),
                rs.getString("version"), rs.getString("previous_version"), rs.getString("commit_sha"),
                rs.getString("strategy"), rs.getString("trigger_kind"), rs.getString("triggered_by"),
                DeploymentStatus.parse(rs.getString("status")).orElseThrow(), rs.getString("reason"),
                Jdbc.longOrNull(rs, "rollback_of"), rs.getString("delivery_id"), rs.getBoolean("cancel_requested"),
                Jdbc.instant(rs, "created_at"), Jdbc.instant(rs, "started_at"), Jdbc.instant(rs, "finished_at"),
                rs.getString("status_detail"), Jdbc.instant(rs, "decision_deadline"), rs.getString("approved_by"),
                Jdbc.instant(rs, "approved_at"), rs.getString("promoted_by"), Jdbc.instant(rs, "promoted_at"),
                rs.getBoolean("restore_requested"), new BlueGreenRecord(rs.getString("color"),
                rs.getString("previous_color"), rs.getString("backup_name"), Jdbc.instant(rs, "backup_at"),
                Jdbc.instant(rs, "switched_at"), rs.getString("set_aside_name"), Jdbc.instant(rs, "set_aside_at")),
                rs.getString("git_ref"), Jdbc.longOrNull(rs, "github_deployment_id"));
    }

    /** For callers outside a transaction. */
    public boolean transition(long id, DeploymentStatus from, DeploymentStatus to, String detail) {
        return jdbc.inTransaction(c -> transition(c, id, from, to, detail));
    }
}
