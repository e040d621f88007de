-- The deployment GitHub's Deployments API created for a Greenlight deployment: recorded once GitHub has answered, so
-- a retry of the start never creates a second one, and the statuses that follow know where to go.
alter table deployments add column github_deployment_id bigint;
