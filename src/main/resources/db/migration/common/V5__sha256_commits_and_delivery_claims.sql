-- Commits of SHA-256 repositories have 64-hex-digit ids (SHA-1 ones 40).
alter table deployments alter column commit_sha set data type varchar(64);

-- A delivery's claim is now written in the transaction that stores its answer, so an answered row is the only kind a
-- running Greenlight leaves. Rows without an answer were claims committed on their own by earlier versions whose
-- answer never followed (the process died in between): nothing was queued for them, and GitHub's redelivery must be
-- processed afresh.
delete from webhook_deliveries where response_status is null;
