-- Delivery metrics (GET /api/v1/metrics). The commit time of a push-triggered deployment (head_commit.timestamp of the
-- push, when it names the deployed commit): the start of its lead time from commit to production. Null for every
-- other trigger, and for deployments recorded before this migration.
alter table deployments add column commit_time timestamp with time zone;

-- A manual rollback names the deployment it undoes: "was this deployment rolled back later?" is a look-up by it.
create index deployments_rollback_of on deployments (rollback_of);

-- Time to recovery starts at a deployment's deployment.rolling_back audit entry: found by deployment and action.
create index audit_log_deployment on audit_log (deployment_id, action, at);
