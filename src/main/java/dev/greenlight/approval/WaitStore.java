package dev.greenlight.approval;

import dev.greenlight.deploy.DeploymentStatus;
import dev.greenlight.store.Jdbc;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The columns of a deployment that waits for a decision: its deadline, set and judged by the database's clock (as
 * leases are, so instances whose clocks disagree agree on when a wait ran out), and who decided, when. Status changes
 * themselves are the deployment store's guarded transitions, made in the same transaction.
 */
public final class WaitStore {
    /** What the promotion wait reads each round. */
    record PromotionState(DeploymentStatus status, boolean expired) {
    }

    private final Jdbc jdbc;

    public WaitStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    void setDeadline(Connection c, long id, Duration timeout) throws SQLException {
        Jdbc.update(c, "update deployments set decision_deadline = " + Jdbc.NOW_PLUS_MILLIS + " where id = ?",
                timeout.toMillis(), id);
    }

    void approved(Connection c, long id, String by, Instant at) throws SQLException {
        Jdbc.update(c, "update deployments set approved_by = ?, approved_at = ?, decision_deadline = null where id = ?",
                Jdbc.fit(by, 128), at, id);
    }

    void promoted(Connection c, long id, String by, Instant at) throws SQLException {
        Jdbc.update(c, "update deployments set promoted_by = ?, promoted_at = ?, decision_deadline = null where id = ?",
                Jdbc.fit(by, 128), at, id);
    }

    void clearDeadline(Connection c, long id) throws SQLException {
        Jdbc.update(c, "update deployments set decision_deadline = null where id = ?", id);
    }

    /** Deployments still awaiting approval after their deadline, oldest first. */
    List<Long> expiredApprovals() {
        return jdbc.query("select id from deployments where status = ? and decision_deadline < current_timestamp "
                + "order by id", rs -> rs.getLong(1), DeploymentStatus.AWAITING_APPROVAL.key());
    }

    Optional<PromotionState> promotionState(long id) {
        return jdbc.queryOne("select status, case when decision_deadline < current_timestamp then 1 else 0 end "
                        + "as expired from deployments where id = ?",
                rs -> new PromotionState(DeploymentStatus.parse(rs.getString(1)).orElseThrow(), rs.getInt(2) == 1), id);
    }
}
