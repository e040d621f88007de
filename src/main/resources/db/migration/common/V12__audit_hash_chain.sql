-- The audit trail as a hash chain: each entry written from now on carries its place in the chain (chain_seq), the
-- hash of the entry before it (prev_hash, null for the first) and its own hash (see dev.greenlight.audit.AuditHash
-- for the encoding). Entries from before this version have none of the three: they are "legacy" entries, counted
-- here so that verifying the chain can tell whether one of them was removed.
alter table audit_log add column chain_seq bigint;
alter table audit_log add column prev_hash varchar(64);
alter table audit_log add column hash varchar(64);

-- One row: the end of the chain. Every append locks it (select … for update) in the transaction that writes the
-- entry, so entries written by concurrent transactions and instances form one line.
create table audit_chain_head (
    id             int          primary key,
    last_seq       bigint       not null,
    last_id        bigint,
    last_hash      varchar(64),
    legacy_entries bigint       not null,
    constraint audit_chain_head_one_row check (id = 1)
);
insert into audit_chain_head (id, last_seq, last_id, last_hash, legacy_entries)
    select 1, 0, null, null, count(*) from audit_log;
