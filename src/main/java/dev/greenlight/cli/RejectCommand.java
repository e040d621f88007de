package dev.greenlight.cli;

import picocli.CommandLine.Command;

@Command(name = "reject", description = {"Reject a deployment awaiting approval: it ends cancelled, with the reason.",
        "Calls POST /api/v1/deployments/{id}/reject."})
final class RejectCommand extends DecisionCommand {
    @Override
    String action() {
        return "reject";
    }

    @Override
    String done() {
        return "rejected";
    }
}
