-- One row per environment: live version, lease holder, queue length and the deployment running there.
select s.app,
       s.environment,
       s.live_version,
       s.lease_holder,
       (select count(*) from deployments d
         where d.app = s.app and d.environment = s.environment and d.status = 'queued') as queued,
       (select min(d.id) from deployments d
         where d.app = s.app and d.environment = s.environment and d.status in ('running', 'awaiting_promotion', 'rolling_back')) as running_id
  from environment_state s
 order by s.app, s.environment
