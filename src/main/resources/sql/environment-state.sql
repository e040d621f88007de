-- One row per environment: live version and colour, lease holder, queue length, the deployment running there and the
-- last one that ended.
select s.app,
       s.environment,
       s.live_version,
       s.live_color,
       s.lease_holder,
       s.lease_expires_at,
       (select count(*) from deployments d
         where d.app = s.app and d.environment = s.environment and d.status = 'queued') as queued,
       (select min(d.id) from deployments d
         where d.app = s.app and d.environment = s.environment and d.status in ('running', 'awaiting_promotion', 'rolling_back')) as running_id,
       (select max(d.id) from deployments d
         where d.app = s.app and d.environment = s.environment and d.finished_at is not null) as last_id
  from environment_state s
 order by s.app, s.environment
