-- The incident report of a rolled-back deployment (Markdown, composed from its steps, audit entries and columns once
-- the rollback has ended), and the GitHub issue it was opened as, once GitHub accepted it.
create table incident_reports (
    deployment_id bigint         not null primary key references deployments (id),
    created_at    timestamp with time zone not null,
    title         varchar(300)   not null,
    markdown      varchar(65536) not null,
    issue_number  int,
    issue_url     varchar(500)
);

-- An event whose provider was unreachable waits in the outbox and is tried again from retry_at on (incident issues:
-- GitHub being down must lose nothing); attempts counts the failed tries, for the backoff.
alter table deployment_events add column attempts int default 0 not null;
alter table deployment_events add column retry_at timestamp with time zone;
