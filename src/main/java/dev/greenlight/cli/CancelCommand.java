package dev.greenlight.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

@Command(name = "cancel", description = {"Cancel a deployment: a queued one, or one awaiting approval, "
        + "at once; a running one (or one awaiting promotion) stops after its current step and what it changed "
        + "is rolled back.",
        "Calls POST /api/v1/deployments/{id}/cancel."})
final class CancelCommand extends DecisionCommand {
    @Override
    String action() {
        return "cancel";
    }

    @Override
    String done() {
        return "cancelled";
    }

    /** A running deployment is not cancelled yet: it stops at its next cancel point and rolls back. */
    @Override
    String text(JsonNode d) {
        if (DeploymentText.statusOf(d).terminal()) return super.text(d);
        String id = d.path("id").asText();
        return "deployment " + id + " stops after its current step and rolls back what it changed ("
                + DeploymentText.status(d) + "; follow it with: greenlight show " + id + " --follow)";
    }
}
