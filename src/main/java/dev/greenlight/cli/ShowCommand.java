package dev.greenlight.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "show", description = {"Show a deployment and its steps as a table: stage, host, attempt, status, "
        + "start (UTC), duration, exit code and what the step found.",
        "The exit code says how it ended (0 while it has not).", "Calls GET /api/v1/deployments/{id}."})
final class ShowCommand extends ApiCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "the deployment's id")
    long id;

    @Mixin
    FollowOptions follow;

    @Override
    Exit run(ApiClient api) {
        DeploymentWatch watch = new DeploymentWatch(api, out(), json());
        return follow.follow ? watch.follow(id, follow.interval) : watch.show(id);
    }
}
