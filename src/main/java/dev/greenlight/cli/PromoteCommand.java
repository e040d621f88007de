package dev.greenlight.cli;

import picocli.CommandLine.Command;

@Command(name = "promote", description = {"Promote a deployment awaiting promotion: it goes on to "
        + "switch traffic to the idle colour.",
        "Calls POST /api/v1/deployments/{id}/promote."})
final class PromoteCommand extends DecisionCommand {
    @Override
    String action() {
        return "promote";
    }

    @Override
    String done() {
        return "promoted";
    }
}
