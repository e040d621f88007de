-- Delivery metrics count the succeeded deployments that some manual rollback names ("rolled back later"): the set of
-- those names is read per metrics request. Without this index that read is a scan of the whole deployments table
-- (the cost of GET /api/v1/metrics then grows with the history, not with the window); with it, an index range of the
-- manual rollbacks alone, each with the deployment it names.
create index deployments_manual_rollbacks on deployments (trigger_kind, rollback_of);
