package dev.greenlight.testing;

import dev.greenlight.audit.AuditChain;
import dev.greenlight.audit.ChainVerdict;
import dev.greenlight.store.Jdbc;
import java.util.ArrayList;
import java.util.List;

/**
 * What must hold in a store once every Greenlight instance on it has stopped (or idles), however they were stopped:
 * each is a query whose rows are the violations, so a failing check says which deployment, step or environment.
 * They hold whether an interrupted deployment was settled as failed or recovered by a rollback.
 */
public record StoreInvariants(Jdbc jdbc) {
    private static final String TERMINAL = "('succeeded', 'failed', 'rolled_back', 'rollback_failed', 'cancelled')";

    /** Every violation found, one line each; empty when the store is sound. */
    public List<String> violations() {
        List<String> out = new ArrayList<>();
        out.addAll(lines("select id, status from deployments where status not in " + TERMINAL + " order by id",
                "deployment %s is still %s"));
        out.addAll(lines("select s.deployment_id, s.id, s.stage, s.status from deployment_steps s join deployments d "
                + "on d.id = s.deployment_id where d.status in " + TERMINAL + " and (s.finished_at is null "
                + "or s.status = 'running') order by s.id", "deployment %s ended with step %s (%s) still %s"));
        out.addAll(lines("select d.id, s.id, s.stage from deployment_steps s join deployments d on d.id = s.deployment_id "
                + "where d.finished_at is not null and s.started_at > d.finished_at order by s.id",
                "deployment %s has step %s (%s) started after its end"));
        // an approval queues a deployment again, to start afresh: only then may it start once more
        out.addAll(lines("select a.deployment_id, count(*) from audit_log a where a.action = 'deployment.running' "
                + "group by a.deployment_id having count(*) > 1 + (select count(*) from audit_log b where "
                + "b.deployment_id = a.deployment_id and b.action = 'deployment.approved') order by a.deployment_id",
                "deployment %s was started %s times"));
        out.addAll(lines("select d.id from deployments d where d.status = 'succeeded' and not exists (select 1 from "
                + "audit_log a where a.deployment_id = d.id and a.action = 'deployment.running') order by d.id",
                "deployment %s succeeded without being started"));
        out.addAll(lines("select deployment_id, host, count(*) from deployment_steps where stage = 'deploy' and "
                + "deployment_id in (select id from deployments where status = 'succeeded') group by deployment_id, "
                + "host having count(*) > 1 order by deployment_id", "deployment %s deployed to %s %s times"));
        out.addAll(lines("select d.id from deployments d where not exists (select 1 from audit_log a where "
                + "a.deployment_id = d.id and a.action = 'deployment.queued') order by d.id",
                "deployment %s has no deployment.queued audit entry"));
        out.addAll(lines("select d.id from deployments d where d.started_at is not null and not exists (select 1 "
                + "from audit_log a where a.deployment_id = d.id and a.action = 'deployment.running') order by d.id",
                "deployment %s started without a deployment.running audit entry"));
        out.addAll(lines("select d.id, d.status from deployments d where d.status in " + TERMINAL + " and not exists "
                + "(select 1 from audit_log a where a.deployment_id = d.id and a.action = 'deployment.' || d.status) "
                + "order by d.id", "deployment %s ended %s without its audit entry"));
        out.addAll(lines("select e.app, e.environment, e.lease_holder from environment_state e where e.lease_holder "
                + "is not null and not exists (select 1 from deployments d where e.lease_holder = "
                + "'locked:rollback_failed:' || cast(d.id as varchar(20)) and d.status = 'rollback_failed')",
                "%s/%s is still held by %s"));
        ChainVerdict chain = new AuditChain(jdbc).verify();
        if (!chain.valid()) out.add("the audit chain is broken: " + chain);
        return out;
    }

    private List<String> lines(String sql, String format) {
        return jdbc.query(sql, rs -> {
            Object[] values = new Object[rs.getMetaData().getColumnCount()];
            for (int i = 0; i < values.length; i++) values[i] = rs.getString(i + 1);
            return format.formatted(values);
        });
    }
}
