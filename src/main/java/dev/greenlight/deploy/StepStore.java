package dev.greenlight.deploy;

import dev.greenlight.config.Secrets;
import dev.greenlight.store.Jdbc;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/** Step records: opened before an action starts, closed when it ends, so a deployment's progress is never guessed. */
public final class StepStore {
    public static final int OUTPUT_MAX = 8000;

    private final Jdbc jdbc;
    private final Clock clock;
    private final Secrets secrets;

    public StepStore(Jdbc jdbc, Clock clock, Secrets secrets) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.secrets = secrets;
    }

    public long open(long deploymentId, String stage, String host, int attempt) {
        return jdbc.inTransaction(c -> Jdbc.insert(c, "insert into deployment_steps (deployment_id, stage, host, attempt, "
                + "status, started_at) values (?, ?, ?, ?, ?, ?)", deploymentId, stage, host, attempt, "running",
                Instant.now(clock)));
    }

    /** Closes a step; output and detail are redacted before they are stored. */
    public void close(long stepId, boolean succeeded, Integer exitCode, String output, String detail) {
        jdbc.update("update deployment_steps set status = ?, finished_at = ?, exit_code = ?, output = ?, detail = ? "
                        + "where id = ?", succeeded ? "succeeded" : "failed", Instant.now(clock), exitCode,
                Jdbc.fit(secrets.redact(output), OUTPUT_MAX), Jdbc.fit(secrets.redact(detail), 2000), stepId);
    }

    /**
     * Closes every step of the deployment still open (status running) as interrupted: after a crash nothing will
     * close them, and a step that says it runs forever misleads whoever reads the record.
     *
     * @return how many steps were closed
     */
    public int closeInterrupted(long deploymentId, String detail) {
        return jdbc.update("update deployment_steps set status = ?, finished_at = ?, detail = ? "
                + "where deployment_id = ? and status = ?", "interrupted", Instant.now(clock), Jdbc.fit(detail, 2000),
                deploymentId, "running");
    }

    /** Secrets masked, for logs that quote command output or errors. */
    public String redact(String text) {
        return secrets.redact(text);
    }

    /** A step that is over as soon as it starts (a check, a decision). */
    public void record(long deploymentId, String stage, String host, int attempt, boolean succeeded, String detail) {
        close(open(deploymentId, stage, host, attempt), succeeded, null, null, detail);
    }

    public List<Step> forDeployment(long deploymentId) {
        return jdbc.query("select * from deployment_steps where deployment_id = ? order by id", StepStore::map, deploymentId);
    }

    /** The same, inside the caller's transaction. */
    public List<Step> forDeployment(java.sql.Connection c, long deploymentId) throws SQLException {
        return Jdbc.query(c, "select * from deployment_steps where deployment_id = ? order by id", StepStore::map,
                deploymentId);
    }

    private static Step map(ResultSet rs) throws SQLException {
        return new Step(rs.getLong("id"), rs.getLong("deployment_id"), rs.getString("stage"), rs.getString("host"),
                rs.getInt("attempt"), rs.getString("status"), Jdbc.instant(rs, "started_at"),
                Jdbc.instant(rs, "finished_at"), Jdbc.integerOrNull(rs, "exit_code"), rs.getString("output"),
                rs.getString("detail"));
    }
}
