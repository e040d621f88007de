package dev.greenlight.notify;

import dev.greenlight.config.GithubSettings;
import dev.greenlight.deploy.Deployment;
import dev.greenlight.deploy.DeploymentStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;

/**
 * A commit status on the deployed commit, context {@code greenlight/<environment>}: pending when the deployment
 * starts, success or failure when it ends, linking to the deployment. camel-github fixes the status context, so
 * this is a plain call to GitHub's REST API (the base URL is configurable for GitHub Enterprise).
 */
public final class GithubCommitStatus {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(GithubCommitStatus.class);
    private final GithubSettings settings;
    private final Optional<String> token;
    private final GithubRateLimits limits;

    public GithubCommitStatus(GithubSettings settings, Optional<String> token, GithubRateLimits limits) {
        this.settings = settings;
        this.token = token;
        this.limits = limits;
    }

    /**
     * Only for deployments of a known commit, and only when a token is configured. Not while GitHub's rate limit
     * holds: a commit status is not kept for later (a late one is worthless), and sending it would only be refused.
     */
    public boolean applies(DeploymentEvent event) {
        if (token.isEmpty() || event.repository() == null || event.deployment().commitSha() == null) return false;
        Optional<java.time.Instant> paused = limits.pausedUntil();
        paused.ifPresent(at -> LOG.warn("deployment {}: commit status not sent, GitHub's rate limit holds until {}",
                event.deployment().id(), at));
        return paused.isEmpty();
    }

    /** Turns the event into the HTTP request: URL, headers and JSON body. */
    public void prepare(Exchange exchange, DeploymentEvent event) {
        Deployment d = event.deployment();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("state", state(event));
        body.put("context", "greenlight/" + d.environment());
        body.put("description", description(event));
        if (settings.publicUrl() != null) body.put("target_url", settings.publicUrl() + "/api/v1/deployments/" + d.id());
        GithubRequests.post(exchange, "githubStatusUrl",
                settings.apiUrl() + "/repos/" + event.repository() + "/statuses/" + d.commitSha(), token.orElseThrow(),
                body);
    }

    static String state(DeploymentEvent event) {
        if (DeploymentEvent.STARTED.equals(event.kind())) return "pending";
        return event.deployment().status() == DeploymentStatus.SUCCEEDED ? "success" : "failure";
    }

    /**
     * What happened, in GitHub's 140 characters, with the reason of an end that is not a success (the stored status
     * detail, secrets already masked): shared by commit and deployment statuses.
     */
    static String description(DeploymentEvent event) {
        Deployment d = event.deployment();
        if (DeploymentEvent.STARTED.equals(event.kind())) {
            return GithubRequests.description("deploying " + d.version() + " to " + d.environment());
        }
        String text = d.version() + " " + d.status().key().replace('_', ' ') + " on " + d.environment();
        boolean explained = d.status() != DeploymentStatus.SUCCEEDED && d.statusDetail() != null
                && !d.statusDetail().isBlank();
        return GithubRequests.description(explained ? text + ": " + d.statusDetail().strip() : text);
    }
}
