package dev.greenlight.incident;

import dev.greenlight.deploy.EventOutbox;
import dev.greenlight.store.Jdbc;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Incident reports in the database, one per deployment. A report is stored together with its {@code incident}
 * event in the outbox, so the GitHub issue is opened exactly when a report exists, however long GitHub is away.
 */
public final class IncidentReportStore {
    private final Jdbc jdbc;
    private final EventOutbox outbox;

    public IncidentReportStore(Jdbc jdbc, EventOutbox outbox) {
        this.jdbc = jdbc;
        this.outbox = outbox;
    }

    /** Stores the report and its outbox event in one transaction; false (nothing written) if it already has one. */
    public boolean save(IncidentReport r) {
        return jdbc.inTransaction(c -> {
            if (!Jdbc.query(c, "select 1 from incident_reports where deployment_id = ?", rs -> 1, r.deploymentId())
                    .isEmpty()) {
                return false;
            }
            Jdbc.update(c, "insert into incident_reports (deployment_id, created_at, title, markdown) values (?, ?, ?, ?)",
                    r.deploymentId(), r.createdAt(), Jdbc.fit(r.title(), 300), r.markdown());
            outbox.record(c, r.deploymentId(), EventOutbox.INCIDENT);
            return true;
        });
    }

    public Optional<IncidentReport> find(long deploymentId) {
        return jdbc.queryOne("select * from incident_reports where deployment_id = ?", IncidentReportStore::map,
                deploymentId);
    }

    public boolean exists(long deploymentId) {
        return jdbc.queryOne("select 1 from incident_reports where deployment_id = ?", rs -> 1, deploymentId)
                .isPresent();
    }

    /** GitHub accepted the issue: a later try of the same event must not open a second one. */
    public void issueOpened(long deploymentId, int number, String url) {
        jdbc.update("update incident_reports set issue_number = ?, issue_url = ? where deployment_id = ?", number,
                Jdbc.fit(url, 500), deploymentId);
    }

    private static IncidentReport map(ResultSet rs) throws SQLException {
        return new IncidentReport(rs.getLong("deployment_id"), Jdbc.instant(rs, "created_at"), rs.getString("title"),
                rs.getString("markdown"), Jdbc.integerOrNull(rs, "issue_number"), rs.getString("issue_url"));
    }
}
