package dev.greenlight.intake;

import dev.greenlight.deploy.DeploymentRequest;
import java.util.List;

/** What a webhook event asks for: deployments, nothing (and why), or a refusal (and why). */
public record TriggerMatch(List<DeploymentRequest> requests, String ignoredReason, String refusal) {
    public static TriggerMatch deploy(List<DeploymentRequest> requests) {
        return new TriggerMatch(List.copyOf(requests), null, null);
    }

    public static TriggerMatch ignored(String reason) {
        return new TriggerMatch(List.of(), reason, null);
    }

    public static TriggerMatch refused(String reason) {
        return new TriggerMatch(List.of(), null, reason);
    }
}
