-- TRUNCATE removes rows without firing row triggers: the audit trail refuses it with a statement-level trigger too.
create trigger audit_log_no_truncate
    before truncate on audit_log
    for each statement execute function audit_log_refuse_change();

-- H2's guard against TRUNCATE (see db/migration/h2/V6), created here too so that both databases have the same
-- tables; here it also makes a TRUNCATE without CASCADE fail before the trigger is reached.
create table audit_log_truncate_guard (
    audit_id bigint references audit_log (id)
);
