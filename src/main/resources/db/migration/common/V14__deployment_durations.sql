-- Delivery metrics read each deployment's durations as plain numbers, written when it ends (DeploymentDurations), so
-- GET /api/v1/metrics aggregates columns instead of computing timestamp differences and audit look-ups per row.
-- Seconds (double precision) of a finished deployment: from its trigger (created_at) to its end (finished_at); from
-- its commit (commit_time, when known) to its end; and from its move to rolling_back (the first
-- deployment.rolling_back audit entry) to its end, for a deployment that rolled back. Null where a start is unknown.
alter table deployments add column deploy_seconds double precision;
alter table deployments add column lead_seconds double precision;
alter table deployments add column rollback_seconds double precision;

-- The deployments that ended before this migration get the same figures from their stored times.
update deployments set
    deploy_seconds = extract(epoch from finished_at) - extract(epoch from created_at),
    lead_seconds = extract(epoch from finished_at) - extract(epoch from commit_time),
    rollback_seconds = extract(epoch from finished_at) - (select extract(epoch from min(a.at)) from audit_log a
                                                          where a.deployment_id = deployments.id
                                                            and a.action = 'deployment.rolling_back')
where finished_at is not null;
