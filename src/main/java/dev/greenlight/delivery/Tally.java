package dev.greenlight.delivery;

import dev.greenlight.deploy.DeploymentStatus;
import dev.greenlight.deploy.TriggerKind;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * What the delivery figures add up over a set of deployments: the outcomes, and the count and sum of each duration.
 * The same columns come from the deployments themselves ({@link #OF_ROWS}) and from the per-day rows folded from
 * them ({@link #OF_DAYS}), so the two add up. The durations are those of the deployments that count for each figure:
 * time to deploy and lead time of the succeeded ones, time to recovery of the rolled-back ones.
 */
record Tally(long total, long succeeded, long failed, long rolledBack, long rollbackFailed, long cancelled,
             long manualRollbacks, Sum deploy, Sum recovery, Sum leadTime) {
    static final String SUCCEEDED = quoted(DeploymentStatus.SUCCEEDED);
    static final String ROLLED_BACK = quoted(DeploymentStatus.ROLLED_BACK);
    static final String MANUAL_ROLLBACK = "'" + TriggerKind.ROLLBACK.key() + "'";

    /** The figures each deployment row contributes, picked once per row; the select of {@link #OF_ROWS} reads them. */
    static final String ROW = "status, trigger_kind, "
            + "case when status = " + SUCCEEDED + " then deploy_seconds end deploy, "
            + "case when status = " + ROLLED_BACK + " then rollback_seconds end recovery, "
            + "case when status = " + SUCCEEDED + " then lead_seconds end lead_time";

    /** The tally of rows selected as {@link #ROW}. */
    static final String OF_ROWS = "count(*) total"
            + count("succeeded", "status = " + SUCCEEDED)
            + count("failed", "status = " + quoted(DeploymentStatus.FAILED))
            + count("rolled_back", "status = " + ROLLED_BACK)
            + count("rollback_failed", "status = " + quoted(DeploymentStatus.ROLLBACK_FAILED))
            + count("cancelled", "status = " + quoted(DeploymentStatus.CANCELLED))
            + count("manual_rollbacks", "trigger_kind = " + MANUAL_ROLLBACK)
            + sum("deploy") + sum("recovery") + sum("lead_time");

    /** The tally of {@code deployment_days} rows: theirs added up. */
    static final String OF_DAYS = "sum(total) total, sum(succeeded) succeeded, sum(failed) failed, "
            + "sum(rolled_back) rolled_back, sum(rollback_failed) rollback_failed, sum(cancelled) cancelled, "
            + "sum(manual_rollbacks) manual_rollbacks, sum(deploy_count) deploy_count, sum(deploy_sum) deploy_sum, "
            + "sum(recovery_count) recovery_count, sum(recovery_sum) recovery_sum, "
            + "sum(lead_time_count) lead_time_count, sum(lead_time_sum) lead_time_sum";

    /** The columns of {@code deployment_days} that {@link #OF_ROWS} fills, in its order. */
    static final String DAY_COLUMNS = "total, succeeded, failed, rolled_back, rollback_failed, cancelled, "
            + "manual_rollbacks, deploy_count, deploy_sum, recovery_count, recovery_sum, lead_time_count, lead_time_sum";

    /** A count of values and their sum; the sum is 0 when there are none. */
    record Sum(long count, double sum) {
        Sum plus(Sum other) {
            return new Sum(count + other.count, sum + other.sum);
        }

        Double mean() {
            return count == 0 ? null : sum / count;
        }

        static Sum read(ResultSet rs, String name) throws SQLException {
            return new Sum(rs.getLong(name + "_count"), rs.getDouble(name + "_sum"));
        }
    }

    static Tally read(ResultSet rs) throws SQLException {
        return new Tally(rs.getLong("total"), rs.getLong("succeeded"), rs.getLong("failed"),
                rs.getLong("rolled_back"), rs.getLong("rollback_failed"), rs.getLong("cancelled"),
                rs.getLong("manual_rollbacks"), Sum.read(rs, "deploy"), Sum.read(rs, "recovery"),
                Sum.read(rs, "lead_time"));
    }

    Tally plus(Tally o) {
        return new Tally(total + o.total, succeeded + o.succeeded, failed + o.failed, rolledBack + o.rolledBack,
                rollbackFailed + o.rollbackFailed, cancelled + o.cancelled, manualRollbacks + o.manualRollbacks,
                deploy.plus(o.deploy), recovery.plus(o.recovery), leadTime.plus(o.leadTime));
    }

    Outcomes outcomes(long rolledBackLater) {
        return new Outcomes(total, succeeded, failed, rolledBack, rollbackFailed, cancelled, manualRollbacks,
                rolledBackLater);
    }

    private static String count(String name, String condition) {
        return ", count(case when " + condition + " then 1 end) " + name;
    }

    private static String sum(String name) {
        return ", count(" + name + ") " + name + "_count, sum(" + name + ") " + name + "_sum";
    }

    private static String quoted(DeploymentStatus status) {
        return "'" + status.key() + "'";
    }
}
