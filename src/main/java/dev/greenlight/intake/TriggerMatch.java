package dev.greenlight.intake;

import dev.greenlight.deploy.DeploymentRequest;
import java.util.List;

/** What a webhook event asks for: deployments, nothing (and why), or a refusal (and why). */
public record TriggerMatch(List<DeploymentRequest> requests, String ignoredReason, String refusal) {
    /**
     * The longest reason an answer carries. Reasons quote what the event said (a branch, a tag, a repository), which
     * may be of any length, and the answer is stored for redeliveries in a column of 4,000 characters: even with
     * every character escaped in JSON, a bounded reason keeps the stored answer whole.
     */
    static final int MAX_REASON = 500;

    public static TriggerMatch deploy(List<DeploymentRequest> requests) {
        return new TriggerMatch(List.copyOf(requests), null, null);
    }

    public static TriggerMatch ignored(String reason) {
        return new TriggerMatch(List.of(), bounded(reason), null);
    }

    public static TriggerMatch refused(String reason) {
        return new TriggerMatch(List.of(), null, bounded(reason));
    }

    private static String bounded(String reason) {
        if (reason.length() <= MAX_REASON) return reason;
        int end = MAX_REASON - 1;
        if (Character.isHighSurrogate(reason.charAt(end - 1))) end--; // never half a character
        return reason.substring(0, end) + "…";
    }
}
