-- 100,000 deployments over the last 365 days (one every 5 min 15 s), for bench/metrics.sh. SERIES is replaced by the
-- database's row generator. Mix: shop/staging 50%, shop/production 25%, blog/staging 25%; 85% succeeded, 5% failed,
-- 5% rolled back, 1% rollback failed, 2% cancelled, the rest succeeded; 2% are manual rollbacks of the deployment
-- before; three in four were pushed, with a commit time; runs take 30 s to 11 min. Each rolled-back or
-- rollback-failed deployment has its deployment.rolling_back audit entry and three steps (deploy, failed health,
-- rollback).
insert into deployments (id, app, environment, version, strategy, trigger_kind, triggered_by, status, rollback_of,
                         created_at, started_at, finished_at, commit_time, commit_sha)
select n,
       case when mod(n, 4) < 2 then 'shop' when mod(n, 4) = 2 then 'shop' else 'blog' end,
       case when mod(n, 4) = 2 then 'production' else 'staging' end,
       'v' || n, 'rolling',
       case when mod(n, 50) = 7 then 'rollback' when mod(n, 4) = 0 then 'manual' else 'push' end,
       'bench',
       case when mod(n, 100) between 85 and 89 then 'failed'
            when mod(n, 100) between 90 and 94 then 'rolled_back'
            when mod(n, 100) = 95 then 'rollback_failed'
            when mod(n, 100) between 96 and 97 then 'cancelled'
            else 'succeeded' end,
       case when mod(n, 50) = 7 then n - 1 end,
       current_timestamp - n * interval '315' second,
       current_timestamp - n * interval '315' second + interval '1' second,
       current_timestamp - n * interval '315' second + (30 + mod(n, 600)) * interval '1' second,
       case when mod(n, 4) <> 0 and mod(n, 50) <> 7
            then current_timestamp - n * interval '315' second - (60 + mod(n, 7200)) * interval '1' second end,
       case when mod(n, 4) <> 0 then lpad(cast(n as varchar), 40, '0') end
from SERIES;

insert into audit_log (at, actor, action, app, environment, version, deployment_id, outcome, detail)
select created_at + (20 + mod(id, 600) / 2) * interval '1' second, 'greenlight', 'deployment.rolling_back', app,
       environment, version, id, 'rolling_back', 'health check failed'
from deployments where status in ('rolled_back', 'rollback_failed');

insert into audit_log (at, actor, action, app, environment, version, deployment_id, outcome)
select finished_at, 'greenlight', 'deployment.' || status, app, environment, version, id, status
from deployments where finished_at is not null;

insert into deployment_steps (deployment_id, stage, host, attempt, status, started_at, finished_at, exit_code, detail)
select id, 'deploy', '127.0.0.1:1', 1, 'succeeded', started_at, started_at + interval '5' second, 0, null
from deployments where status in ('rolled_back', 'rollback_failed');
insert into deployment_steps (deployment_id, stage, host, attempt, status, started_at, finished_at, exit_code, detail)
select id, 'health', '127.0.0.1:1', 1, 'failed', started_at + interval '6' second,
       created_at + (20 + mod(id, 600) / 2) * interval '1' second, null, 'unhealthy'
from deployments where status in ('rolled_back', 'rollback_failed');
insert into deployment_steps (deployment_id, stage, host, attempt, status, started_at, finished_at, exit_code, detail)
select id, 'rollback', '127.0.0.1:1', 1, case when status = 'rolled_back' then 'succeeded' else 'failed' end,
       created_at + (21 + mod(id, 600) / 2) * interval '1' second, finished_at, 0, null
from deployments where status in ('rolled_back', 'rollback_failed');

-- The durations each deployment's end stores (deploy/DeploymentDurations, migration V14), from the times above.
update deployments set
    deploy_seconds = extract(epoch from finished_at) - extract(epoch from created_at),
    lead_seconds = extract(epoch from finished_at) - extract(epoch from commit_time),
    rollback_seconds = extract(epoch from finished_at) - (select extract(epoch from min(a.at)) from audit_log a
                                                          where a.deployment_id = deployments.id
                                                            and a.action = 'deployment.rolling_back')
where finished_at is not null;
