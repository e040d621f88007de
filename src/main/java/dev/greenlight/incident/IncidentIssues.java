package dev.greenlight.incident;

import dev.greenlight.http.RetryableStatus;
import dev.greenlight.config.GithubSettings;
import dev.greenlight.deploy.EventOutbox;
import dev.greenlight.notify.DeploymentEvent;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.component.github.GitHubConstants;
import org.apache.camel.spi.Registry;
import org.eclipse.egit.github.core.Issue;
import org.eclipse.egit.github.core.client.RequestException;
import org.eclipse.egit.github.core.service.RepositoryService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An incident report opened as an issue in the app's repository (route {@code github-incident-issue}, camel-github's
 * {@code createIssue}). It is sent from the outbox and, unlike a commit status, waits there while GitHub cannot be
 * reached: a 5xx, 408, 429 or a network failure leaves the event unsent, to be tried again after a delay that doubles
 * with every failure (from {@code greenlight.incidents.retry-delay}, at most 32 times it). A refusal GitHub explains
 * (another 4xx with its JSON error: a bad token, an unknown repository) or a failure before any call (a bug) would
 * fail again: it is logged as an error and given up.
 */
public final class IncidentIssues {
    private static final Logger LOG = LoggerFactory.getLogger(IncidentIssues.class);
    /** Bounds each call to GitHub: well under the two-minute lapse of an event's claim. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);
    private static final int MAX_DOUBLINGS = 5;
    private static final String TO_OPEN = "issueToOpen";

    private final Optional<String> token;
    private final IncidentReportStore reports;
    private final EventOutbox outbox;
    private final Clock clock;
    private final Duration retryDelay;

    public IncidentIssues(Optional<String> token, IncidentReportStore reports, EventOutbox outbox, Clock clock,
                          Duration retryDelay) {
        this.token = token;
        this.reports = reports;
        this.outbox = outbox;
        this.clock = clock;
        this.retryDelay = retryDelay;
    }

    /**
     * Binds the egit services camel-github's producers look up, built on a client for {@code github.api-url}: the
     * repository service (every producer reads the repository when it is created) and the issue service.
     */
    public static void bindServices(Registry registry, GithubSettings settings) {
        GithubApiClient client = new GithubApiClient(settings.apiUrl(), CALL_TIMEOUT);
        registry.bind("githubRepositoryService", new RepositoryService(client));
        registry.bind(IncidentIssueService.BEAN, new IncidentIssueService(client));
    }

    /**
     * Prepares the issue of an incident event: title header, Markdown body, the repository and token for the
     * endpoint, and exchange property {@code issueToOpen}. That is false when there is nothing to open: GitHub is not
     * configured, the app names no repository, the report is gone, or an earlier try already opened its issue.
     */
    public void prepare(Exchange exchange, DeploymentEvent event) {
        exchange.setProperty(TO_OPEN, false);
        if (token.isEmpty() || event.repository() == null) return;
        Optional<IncidentReport> report = reports.find(event.deployment().id());
        if (report.isEmpty() || report.get().issueNumber() != null) return;
        String[] repository = event.repository().split("/", 2);
        exchange.setProperty("githubRepoOwner", repository[0]);
        exchange.setProperty("githubRepoName", repository[1]);
        exchange.setProperty("githubToken", token.get());
        var message = exchange.getMessage();
        message.setHeader(GitHubConstants.GITHUB_ISSUE_TITLE, report.get().title());
        message.setBody(report.get().markdown());
        exchange.setProperty(TO_OPEN, true);
    }

    /** GitHub created the issue (the producer's answer): recorded, so no later try opens it again. */
    public void opened(DeploymentEvent event, Issue issue) {
        reports.issueOpened(event.deployment().id(), issue.getNumber(), issue.getHtmlUrl());
        LOG.info("deployment {}: incident issue #{} opened in {}", event.deployment().id(), issue.getNumber(),
                event.repository());
    }

    /** The issue could not be opened: kept in the outbox for a later try, or given up when GitHub refused it. */
    public void failed(Exception cause, DeploymentEvent event) {
        long id = event.deployment().id();
        if (retryable(cause)) {
            Duration wait = retryDelay.multipliedBy(1L << Math.min(event.attempts(), MAX_DOUBLINGS));
            outbox.retryLater(event.id(), Instant.now(clock).plus(wait));
            LOG.warn("deployment {}: GitHub did not take the incident issue ({}); trying again in {} ms", id,
                    cause.getMessage(), wait.toMillis());
        } else {
            outbox.sent(event.id());
            LOG.error("deployment {}: GitHub refused the incident issue for {} ({}); not trying again, the report "
                    + "stays at GET /api/v1/deployments/{}/incident", id, event.repository(), cause.getMessage(), id);
        }
    }

    /** GitHub away or overloaded, or the network: worth another try. A refusal of the request itself is not. */
    static boolean retryable(Throwable cause) {
        for (Throwable c = cause; c != null; c = c.getCause()) {
            if (c instanceof RequestException refused) {
                int status = refused.getStatus();
                // egit's refusal carries no headers: GitHub's rate limit is known by its message, and waits the
                // doubling delay like a 429
                boolean rateLimited = status == 403 && refused.getMessage() != null
                        && refused.getMessage().toLowerCase(java.util.Locale.ROOT).contains("rate limit");
                return rateLimited || RetryableStatus.retryable(status);
            }
        }
        for (Throwable c = cause; c != null; c = c.getCause()) {
            if (c instanceof IOException) return true;
        }
        return false;
    }
}
