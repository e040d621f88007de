package dev.greenlight.notify;

import dev.greenlight.http.RetryableStatus;
import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.config.EnvironmentConfig;
import dev.greenlight.config.GithubSettings;
import dev.greenlight.config.CurrentConfig;
import dev.greenlight.config.Strategy;
import dev.greenlight.deploy.Deployment;
import dev.greenlight.deploy.DeploymentStatus;
import dev.greenlight.deploy.EventOutbox;
import dev.greenlight.http.Json;
import dev.greenlight.intake.DeploymentMarker;
import dev.greenlight.store.Jdbc;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mirrors a deployment into GitHub's Deployments API (route {@code github-deployment}): its start creates the GitHub
 * deployment for the commit (or the version, when no commit is known) and the environment, then sets it
 * {@code in_progress}; its end sets {@code success}, {@code failure}, or {@code error} for a failed rollback.
 *
 * <p>A deployment GitHub sent (a {@code deployment} event) comes with its GitHub id already recorded: nothing is
 * created, and its statuses go out the same way, whether or not the mirror is on. The mirror's creations carry
 * {@link DeploymentMarker}'s mark, so the {@code deployment} events they cause deploy nothing.
 *
 * <p>Unlike a commit status, the creation must not be lost (every later status needs its id), so while GitHub
 * cannot be reached the event stays in the outbox and is tried again after a growing delay; the id is recorded as
 * soon as GitHub answers, so a retry never creates a second deployment.
 */
public final class GithubDeployments {
    private static final Logger LOG = LoggerFactory.getLogger(GithubDeployments.class);
    static final String URL = "githubDeploymentUrl";
    private static final String PRODUCTION = "production";

    private final CurrentConfig config;
    private final GithubSettings settings;
    private final DeploymentMarker marker;
    private final Optional<String> token;
    private final GithubDeploymentIds ids;
    private final EventOutbox outbox;
    private final Clock clock;
    private final Backoff backoff;
    private final GithubRateLimits limits;

    public GithubDeployments(CurrentConfig config, DeploymentMarker marker, Optional<String> token, Jdbc jdbc,
                             EventOutbox outbox, Clock clock, Backoff backoff, GithubRateLimits limits) {
        this.limits = limits;
        this.config = config;
        this.settings = config.get().github();
        this.marker = marker;
        this.token = token;
        this.ids = new GithubDeploymentIds(jdbc);
        this.outbox = outbox;
        this.clock = clock;
        this.backoff = backoff;
    }

    /**
     * Only with a token and the app's repository: a deployment with a GitHub deployment (GitHub sent it, or the
     * mirror created it), and a start to mirror unless {@code github.deployments} is false.
     */
    public boolean applies(DeploymentEvent event) {
        if (token.isEmpty() || event.repository() == null) return false;
        return ids.find(event.deployment().id()).isPresent()
                || settings.deployments() && DeploymentEvent.STARTED.equals(event.kind());
    }

    /** A start whose GitHub deployment does not exist yet (a retry after GitHub answered has it already). */
    public boolean toCreate(DeploymentEvent event) {
        return DeploymentEvent.STARTED.equals(event.kind()) && ids.find(event.deployment().id()).isEmpty();
    }

    public void prepareCreate(Exchange exchange, DeploymentEvent event) {
        Deployment d = event.deployment();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ref", d.commitSha() != null ? d.commitSha() : d.version());
        body.put("task", "deploy");
        // Greenlight has deployed by the time anyone could merge: GitHub must neither merge nor wait for checks
        body.put("auto_merge", false);
        body.put("required_contexts", List.of());
        body.put("environment", d.environment());
        body.put("description", GithubRequests.description("Greenlight deployment " + d.id() + ": " + d.version()));
        body.put("transient_environment", false);
        body.put("production_environment", production(d));
        Map<String, Object> payload = new LinkedHashMap<>(marker.payloadField(d.id()));
        payload.put("version", d.version());
        body.put("payload", payload);
        GithubRequests.post(exchange, URL, repositoryUrl(event) + "/deployments", token.orElseThrow(), body);
    }

    /** GitHub's answer to the creation: its id recorded before any status is sent. */
    public void created(DeploymentEvent event, String answer) throws IOException {
        JsonNode id = Json.MAPPER.readTree(answer).path("id");
        if (!id.canConvertToLong()) throw new IllegalStateException("GitHub answered a deployment without an id");
        ids.record(event.deployment().id(), id.asLong());
    }

    /**
     * The status of the event: {@code in_progress} at the start, the outcome at the end. A success sets
     * {@code auto_inactive}, so GitHub marks the deployment it replaced inactive; it does so only in environments that
     * are not production, so for a production one exchange property {@code githubReplaced} names the replaced
     * GitHub deployment (or is null), to be set inactive here.
     */
    public void prepareStatus(Exchange exchange, DeploymentEvent event) {
        Deployment d = event.deployment();
        String state = state(event);
        Map<String, Object> body = status(d, state, GithubCommitStatus.description(event));
        if ("success".equals(state)) body.put("auto_inactive", true);
        exchange.setProperty("githubReplaced", "success".equals(state) && production(d)
                ? ids.replaced(d).orElse(null) : null);
        GithubRequests.post(exchange, URL, statusesUrl(event, ids.find(d.id()).orElseThrow()), token.orElseThrow(),
                body);
    }

    /** {@code inactive} for the production deployment {@code replaced} that {@code event}'s success took over from. */
    public void prepareInactive(Exchange exchange, DeploymentEvent event, long replaced) {
        Deployment d = event.deployment();
        Map<String, Object> body = status(d, "inactive",
                GithubRequests.description("replaced by " + d.version() + " (Greenlight deployment " + d.id() + ")"));
        GithubRequests.post(exchange, URL, statusesUrl(event, replaced), token.orElseThrow(), body);
    }

    /**
     * Before any call: while GitHub's rate limit holds, the event waits in the outbox until its reset (true: not to
     * be marked sent) instead of being refused again.
     */
    public boolean deferWhileLimited(DeploymentEvent event) {
        Optional<Instant> paused = limits.pausedUntil();
        paused.ifPresent(at -> outbox.retryLater(event.id(), at));
        return paused.isPresent();
    }

    /**
     * A call failed: GitHub away, overloaded or unreachable leaves the event in the outbox for a later try (returns
     * true: not to be marked sent); a refusal GitHub explains would be refused again and is given up (false).
     */
    public boolean failed(Exception cause, DeploymentEvent event) {
        long id = event.deployment().id();
        if (limits.limited(cause) || retryable(cause)) {
            Instant at = Instant.now(clock).plus(backoff.delay(event.attempts() + 1));
            // never before the reset GitHub named
            at = limits.pausedUntil().filter(at::isBefore).orElse(at);
            outbox.retryLater(event.id(), at);
            LOG.warn("deployment {}: GitHub did not take its deployment {} ({}); trying again at {}", id, event.kind(),
                    cause.getMessage(), at);
            return true;
        }
        LOG.error("deployment {}: GitHub refused its deployment {} for {} ({}); not trying again", id, event.kind(),
                event.repository(), cause.getMessage());
        return false;
    }

    static String state(DeploymentEvent event) {
        if (DeploymentEvent.STARTED.equals(event.kind())) return "in_progress";
        DeploymentStatus status = event.deployment().status();
        if (status == DeploymentStatus.SUCCEEDED) return "success";
        return status == DeploymentStatus.ROLLBACK_FAILED ? "error" : "failure";
    }

    /** Blue-green environments are the ones serving users (the design record); so is one named production. */
    static boolean production(Deployment d) {
        return Strategy.BLUE_GREEN.key().equals(d.strategy()) || PRODUCTION.equals(d.environment());
    }

    static boolean retryable(Throwable cause) {
        for (Throwable c = cause; c != null; c = c.getCause()) {
            if (c instanceof HttpOperationFailedException refused) {
                int status = refused.getStatusCode();
                return RetryableStatus.retryable(status);
            }
        }
        for (Throwable c = cause; c != null; c = c.getCause()) {
            if (c instanceof IOException && !(c instanceof com.fasterxml.jackson.core.JsonProcessingException)) {
                return true;
            }
        }
        return false;
    }

    private Map<String, Object> status(Deployment d, String state, String description) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("state", state);
        body.put("description", description);
        if (settings.publicUrl() != null) body.put("log_url", settings.publicUrl() + "/api/v1/deployments/" + d.id());
        config.get().environment(d.app(), d.environment()).map(EnvironmentConfig::environmentUrl)
                .ifPresent(url -> body.put("environment_url", url));
        return body;
    }

    private String repositoryUrl(DeploymentEvent event) {
        return settings.apiUrl() + "/repos/" + event.repository();
    }

    private String statusesUrl(DeploymentEvent event, long githubId) {
        return repositoryUrl(event) + "/deployments/" + githubId + "/statuses";
    }
}
