package dev.greenlight.cli;

import picocli.CommandLine.Command;

@Command(name = "approve", description = {"Approve a deployment awaiting approval: it is queued again "
        + "and runs from its pre-checks. The token that triggered it may not approve it.",
        "Calls POST /api/v1/deployments/{id}/approve."})
final class ApproveCommand extends DecisionCommand {
    @Override
    String action() {
        return "approve";
    }

    @Override
    String done() {
        return "approved";
    }
}
