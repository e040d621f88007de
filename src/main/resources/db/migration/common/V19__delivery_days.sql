-- Delivery figures over long windows (GET /api/v1/metrics?days=366). A day whose deployments have all ended no longer
-- changes in what the figures count, so its counts and duration sums are folded once into deployment_days, one row
-- per app, environment and UTC day (days since 1970-01-01) for each fold that met them (delivery.ClosedDays). A read
-- then adds up those rows for the whole days of its window and reads only the rest raw. The percentiles still read
-- every duration of the window, through an index that holds all a percentile reads: by time for a window of every
-- app (or of environments only), by app and environment for one of those (H2 keeps no statistics of values and
-- reads the first index whose leading columns it can use, so each shape has its own).
create table deployment_days (
    app              varchar(64) not null,
    environment      varchar(64) not null,
    utc_day          int         not null,
    total            bigint      not null,
    succeeded        bigint      not null,
    failed           bigint      not null,
    rolled_back      bigint      not null,
    rollback_failed  bigint      not null,
    cancelled        bigint      not null,
    manual_rollbacks bigint      not null,
    deploy_count     bigint      not null,
    deploy_sum       double precision,
    recovery_count   bigint      not null,
    recovery_sum     double precision,
    lead_time_count  bigint      not null,
    lead_time_sum    double precision
);
create index deployment_days_day on deployment_days (utc_day);

-- What has been folded: the deployments with an id up to max_id created before the day closed_before. A deployment
-- stored later in a day already folded (only a row written by hand can be) has a larger id and is read raw.
create table deployment_days_folded (
    id            int    primary key,
    closed_before int    not null,
    max_id        bigint not null
);
insert into deployment_days_folded (id, closed_before, max_id) values (1, 0, 0);

create index deployments_durations on deployments (status, created_at, deploy_seconds, lead_seconds, rollback_seconds,
                                                   app, environment);
create index deployments_durations_by_app on deployments (status, app, environment, created_at, deploy_seconds,
                                                          lead_seconds, rollback_seconds);
