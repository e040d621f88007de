package dev.greenlight.audit;

import dev.greenlight.config.Secrets;
import dev.greenlight.store.Filter;
import dev.greenlight.store.Jdbc;
import dev.greenlight.store.Page;
import dev.greenlight.store.Scope;
import dev.greenlight.store.StoreException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The append-only audit trail, a hash chain (see {@link AuditHash}). There is deliberately no update or delete here
 * (and the database refuses both).
 */
public final class AuditLog {
    private static final String INSERT = "insert into audit_log (at, actor, action, app, environment, version, "
            + "deployment_id, outcome, detail, source, chain_seq, prev_hash, hash) "
            + "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String LOCK_HEAD = "select last_seq, last_hash from audit_chain_head where id = 1 for update";
    private static final String MOVE_HEAD =
            "update audit_chain_head set last_seq = ?, last_id = ?, last_hash = ? where id = 1";

    private final Jdbc jdbc;
    private final Clock clock;
    private final Secrets secrets;

    public AuditLog(Jdbc jdbc, Clock clock, Secrets secrets) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.secrets = secrets;
    }

    /** Records in its own transaction. */
    public void record(AuditEvent e) {
        jdbc.inTransaction(c -> {
            record(c, e);
            return null;
        });
    }

    /**
     * Records inside the caller's transaction (one of {@link Jdbc#inTransaction}), so the entry exists exactly when
     * the change it describes does. The entry is appended to the chain right before that transaction commits: the
     * chain's head is then the transaction's last lock, held only for the commit, so writers wait for each other
     * as briefly as they can and never deadlock on it.
     */
    public void record(Connection c, AuditEvent e) {
        // refusals record what the caller sent, of any length: every value is cut to its column
        AuditEvent entry = new AuditEvent(null, AuditHash.precision(Instant.now(clock)), Jdbc.fit(e.actor(), 128),
                Jdbc.fit(e.action(), 64), Jdbc.fit(e.app(), 64), Jdbc.fit(e.environment(), 64),
                Jdbc.fit(e.version(), 128), e.deploymentId(), Jdbc.fit(e.outcome(), 32),
                Jdbc.fit(secrets.redact(e.detail()), 2000), Jdbc.fit(e.source(), 64));
        Jdbc.beforeCommit(c, tx -> {
            append(tx, entry);
            return null;
        });
    }

    /** Links {@code entry} after the chain's head, under the head's row lock, and moves the head to it. */
    private static void append(Connection c, AuditEvent entry) throws SQLException {
        List<ChainHead> head = Jdbc.query(c, LOCK_HEAD, rs -> new ChainHead(rs.getLong(1), rs.getString(2)));
        // without its head the chain cannot go on: nothing that needs an audit entry is written either
        if (head.isEmpty()) throw new StoreException(new SQLException("audit_chain_head has no row: the chain is broken"));
        long seq = head.get(0).seq() + 1;
        String prev = head.get(0).hash();
        String hash = AuditHash.of(entry, seq, prev);
        long id = Jdbc.insert(c, INSERT, OffsetDateTime.ofInstant(entry.at(), ZoneOffset.UTC), entry.actor(),
                entry.action(), entry.app(), entry.environment(), entry.version(), entry.deploymentId(),
                entry.outcome(), entry.detail(), entry.source(), seq, prev, hash);
        Jdbc.update(c, MOVE_HEAD, seq, id, hash);
    }

    private record ChainHead(long seq, String hash) {
    }

    /**
     * Newest first, within {@code scope}: entries of the apps and environments it allows; those of no environment
     * (refusals of unknown callers, an unknown app) only for a scope over everything.
     */
    public List<AuditEvent> list(Scope scope, String app, String environment, Instant since, Page page) {
        Filter f = scope.restrict(new Filter()).equal("app", app).equal("environment", environment)
                .atLeast("at", since);
        return jdbc.query(f.newestFirst("audit_log", page), AuditLog::map, f.params());
    }

    /** Every entry about one deployment, oldest first (its incident report's trail). */
    public List<AuditEvent> forDeployment(long deploymentId) {
        return jdbc.query("select * from audit_log where deployment_id = ? order by id", AuditLog::map, deploymentId);
    }

    private static AuditEvent map(ResultSet rs) throws SQLException {
        return new AuditEvent(rs.getLong("id"), Jdbc.instant(rs, "at"), rs.getString("actor"), rs.getString("action"),
                rs.getString("app"), rs.getString("environment"), rs.getString("version"),
                Jdbc.longOrNull(rs, "deployment_id"), rs.getString("outcome"), rs.getString("detail"),
                rs.getString("source"));
    }
}
