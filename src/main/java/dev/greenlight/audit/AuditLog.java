package dev.greenlight.audit;

import dev.greenlight.config.Secrets;
import dev.greenlight.store.Filter;
import dev.greenlight.store.Jdbc;
import dev.greenlight.store.Scope;
import dev.greenlight.store.StoreException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/** The append-only audit trail. There is deliberately no update or delete here (and the database refuses both). */
public final class AuditLog {
    private static final String INSERT = "insert into audit_log (at, actor, action, app, environment, version, "
            + "deployment_id, outcome, detail, source) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

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

    /** Records inside the caller's transaction, so the entry exists exactly when the change it describes does. */
    public void record(Connection c, AuditEvent e) {
        try {
            // refusals record what the caller sent, of any length: every value is cut to its column
            Jdbc.update(c, INSERT, Instant.now(clock), Jdbc.fit(e.actor(), 128), Jdbc.fit(e.action(), 64),
                    Jdbc.fit(e.app(), 64), Jdbc.fit(e.environment(), 64), Jdbc.fit(e.version(), 128), e.deploymentId(),
                    Jdbc.fit(e.outcome(), 32), Jdbc.fit(secrets.redact(e.detail()), 2000), Jdbc.fit(e.source(), 64));
        } catch (SQLException ex) {
            throw new StoreException(ex);
        }
    }

    /**
     * Newest first, within {@code scope}: entries of the apps and environments it allows; those of no environment
     * (refusals of unknown callers, an unknown app) only for a scope over everything.
     */
    public List<AuditEvent> list(Scope scope, String app, String environment, Instant since, int limit) {
        Filter f = scope.restrict(new Filter()).equal("app", app).equal("environment", environment)
                .atLeast("at", since);
        return jdbc.query(f.newestFirst("audit_log", limit), AuditLog::map, f.params());
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
