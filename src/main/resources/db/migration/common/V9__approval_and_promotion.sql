-- Approval and promotion of blue-green deployments. A deployment awaiting approval or promotion has a deadline
-- (approval-timeout, promotion-timeout from when it began to wait), set and judged by the database's clock like the
-- leases; who approved and who promoted, and when, stay with the deployment.
alter table deployments add column decision_deadline timestamp with time zone;
alter table deployments add column approved_by varchar(128);
alter table deployments add column approved_at timestamp with time zone;
alter table deployments add column promoted_by varchar(128);
alter table deployments add column promoted_at timestamp with time zone;
-- A manual rollback asked to restore the database ({"restore": true} on POST /api/v1/deployments/{id}/rollback).
alter table deployments add column restore_requested boolean default false not null;
create index deployments_awaiting on deployments (status, decision_deadline);
