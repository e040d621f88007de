-- Set when a running deployment can no longer honour a cancel: 'finishing' once it passed its last cancel point,
-- 'rolling-back' once its rollback began. A cancel request is an update guarded by this being null, and the pipeline
-- sets it with an update guarded by no cancel having been requested, so exactly one of the two wins.
alter table deployments add column cancel_closed varchar(16);
