-- The audit trail is append-only: the database itself refuses to change or remove an entry.
create trigger audit_log_append_only
    before update, delete on audit_log
    for each row call 'dev.greenlight.audit.AppendOnlyTrigger';
