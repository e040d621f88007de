package dev.greenlight.notify;

import dev.greenlight.deploy.Deployment;
import dev.greenlight.store.Jdbc;
import java.util.Optional;

/** Which GitHub deployment mirrors which Greenlight deployment (column {@code deployments.github_deployment_id}). */
final class GithubDeploymentIds {
    private final Jdbc jdbc;

    GithubDeploymentIds(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    Optional<Long> find(long deploymentId) {
        return jdbc.queryOne("select github_deployment_id from deployments where id = ?",
                rs -> Jdbc.longOrNull(rs, "github_deployment_id"), deploymentId);
    }

    void record(long deploymentId, long githubId) {
        jdbc.update("update deployments set github_deployment_id = ? where id = ?", githubId, deploymentId);
    }

    /** The GitHub deployment of the last success before {@code d} in its environment: the one {@code d} replaces. */
    Optional<Long> replaced(Deployment d) {
        return jdbc.queryOne("select github_deployment_id from deployments where app = ? and environment = ? "
                        + "and id < ? and status = 'succeeded' and github_deployment_id is not null "
                        + "order by id desc limit 1",
                rs -> rs.getLong(1), d.app(), d.environment(), d.id());
    }
}
