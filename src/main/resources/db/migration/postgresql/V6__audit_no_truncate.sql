-- TRUNCATE removes rows without firing row triggers: the audit trail refuses it with a statement-level trigger too.
create trigger audit_log_no_truncate
    before truncate on audit_log
    for each statement execute function audit_log_refuse_change();
