package dev.greenlight.notify;

import dev.greenlight.config.Durations;
import dev.greenlight.config.NotificationEvent;
import dev.greenlight.deploy.DeploymentStatus;
import dev.greenlight.store.Jdbc;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The design record's review triggers, judged per environment whenever one of its deployments ends: over the review
 * window, failures above 10% or rollbacks above 5% of its deployments. A trigger raises one warning when the rate
 * crosses its threshold, then stays quiet (a row in {@code review_triggers}) until the rate is back at or under it,
 * which re-arms it. Deployments count once they ended, cancelled ones not at all; a rollback is a deployment that was
 * rolled back (or whose rollback failed), or a rollback someone asked for.
 */
public final class ReviewTriggers {
    static final String FAILURES = "failures";
    static final String ROLLBACKS = "rollbacks";
    static final double FAILURE_LIMIT = 0.10;
    static final double ROLLBACK_LIMIT = 0.05;

    private final Duration window;
    private final Clock clock;
    private final NoticeFactory notices;

    public ReviewTriggers(Duration window, Clock clock, NoticeFactory notices) {
        this.window = window;
        this.clock = clock;
        this.notices = notices;
    }

    /** The figures over the window ending now. */
    record Figures(int deployments, int failures, int rollbacks) {
        double rate(String trigger) {
            return deployments == 0 ? 0 : (FAILURES.equals(trigger) ? failures : rollbacks) / (double) deployments;
        }
    }

    /** In the transaction that ended a deployment of {@code app}/{@code environment}: the warnings it raises. */
    public List<Notice> judge(Connection c, String app, String environment) throws SQLException {
        Figures f = figures(c, app, environment);
        List<Notice> out = new ArrayList<>();
        judge(c, app, environment, FAILURES, FAILURE_LIMIT, f).ifPresent(out::add);
        judge(c, app, environment, ROLLBACKS, ROLLBACK_LIMIT, f).ifPresent(out::add);
        return out;
    }

    private java.util.Optional<Notice> judge(Connection c, String app, String environment, String trigger,
                                             double limit, Figures f) throws SQLException {
        boolean raised = !Jdbc.query(c, "select trigger_name from review_triggers where app = ? and environment = ? "
                + "and trigger_name = ?", rs -> rs.getString(1), app, environment, trigger).isEmpty();
        boolean above = f.rate(trigger) > limit;
        if (above == raised) return java.util.Optional.empty();
        if (!above) {
            Jdbc.update(c, "delete from review_triggers where app = ? and environment = ? and trigger_name = ?", app,
                    environment, trigger);
            return java.util.Optional.empty();
        }
        Jdbc.update(c, "insert into review_triggers (app, environment, trigger_name, raised_at) values (?, ?, ?, ?)",
                app, environment, trigger, Instant.now(clock));
        return java.util.Optional.of(notice(app, environment, trigger, limit, f));
    }

    private Notice notice(String app, String environment, String trigger, double limit, Figures f) {
        int count = FAILURES.equals(trigger) ? f.failures() : f.rollbacks();
        String days = window.toHoursPart() == 0 && window.toDays() > 0 && window.toMinutesPart() == 0
                && window.toSecondsPart() == 0 ? window.toDays() + "d" : Durations.format(window);
        String what = FAILURES.equals(trigger) ? "failed" : "were rolled back";
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("Window", days);
        figures.put("Deployments", f.deployments());
        figures.put("Failed", f.failures());
        figures.put("Rolled back", f.rollbacks());
        figures.put(FAILURES.equals(trigger) ? "Failure rate" : "Rollback rate", percent(f.rate(trigger)));
        figures.put("Threshold", percent(limit));
        return notices.environmentAlert(NotificationEvent.REVIEW_TRIGGER, app, environment,
                trigger + " above " + percent(limit) + " of deployments",
                count + " of " + f.deployments() + " deployments in the last " + days + " " + what + " ("
                        + percent(f.rate(trigger)) + ", threshold " + percent(limit) + "): time to review the pipeline",
                figures);
    }

    private Figures figures(Connection c, String app, String environment) throws SQLException {
        Instant since = Instant.now(clock).minus(window);
        String ended = "'" + DeploymentStatus.SUCCEEDED.key() + "', '" + DeploymentStatus.FAILED.key() + "', '"
                + DeploymentStatus.ROLLED_BACK.key() + "', '" + DeploymentStatus.ROLLBACK_FAILED.key() + "'";
        String failed = "'" + DeploymentStatus.FAILED.key() + "', '" + DeploymentStatus.ROLLED_BACK.key() + "', '"
                + DeploymentStatus.ROLLBACK_FAILED.key() + "'";
        String rolledBack = "'" + DeploymentStatus.ROLLED_BACK.key() + "', '" + DeploymentStatus.ROLLBACK_FAILED.key() + "'";
        return Jdbc.query(c, "select count(*), "
                        + "coalesce(sum(case when status in (" + failed + ") then 1 else 0 end), 0), "
                        + "coalesce(sum(case when status in (" + rolledBack + ") or trigger_kind = 'rollback' then 1 "
                        + "else 0 end), 0) from deployments where app = ? and environment = ? and status in (" + ended
                        + ") and finished_at >= ?",
                rs -> new Figures(rs.getInt(1), rs.getInt(2), rs.getInt(3)), app, environment, since).get(0);
    }

    static String percent(double rate) {
        return String.format(java.util.Locale.ROOT, "%.1f%%", rate * 100);
    }
}
