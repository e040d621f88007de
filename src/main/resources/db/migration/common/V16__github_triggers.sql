-- GitHub's workflow_dispatch and deployment triggers. The git ref a trigger named (a workflow run's ref, a GitHub
-- deployment's ref), recorded with the deployment; null for the other triggers. A GitHub deployment's id goes to
-- V15's github_deployment_id when GitHub sent it (a deployment event), so its statuses go where the mirror's go.
alter table deployments add column git_ref varchar(255);

-- "workflow_dispatch" is longer than the 16 characters the first trigger kinds needed.
alter table deployments alter column trigger_kind set data type varchar(32);
