package dev.greenlight.incident;

import dev.greenlight.config.Secrets;
import dev.greenlight.deploy.Deployment;
import dev.greenlight.deploy.DeploymentRun;
import dev.greenlight.deploy.DeploymentStatus;
import dev.greenlight.deploy.DeploymentStore;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a rollback's incident report once the rollback has ended (route {@code incident-report}): gathered from the
 * records, rendered as Markdown, stored with its outbox event, once per deployment. Any secret the report might quote is masked again
 * before it is stored, though every record it quotes was masked when written.
 */
public final class IncidentReports {
    private static final Logger LOG = LoggerFactory.getLogger(IncidentReports.class);

    private final DeploymentStore deployments;
    private final IncidentEvidence evidence;
    private final IncidentMarkdown markdown;
    private final IncidentReportStore store;
    private final Secrets secrets;
    private final Clock clock;

    public IncidentReports(DeploymentStore deployments, IncidentEvidence evidence, IncidentMarkdown markdown,
                           IncidentReportStore store, Secrets secrets, Clock clock) {
        this.deployments = deployments;
        this.evidence = evidence;
        this.markdown = markdown;
        this.store = store;
        this.secrets = secrets;
        this.clock = clock;
    }

    /**
     * Writes the report of a run whose rollback has ended: called by the rollback when it has finished, and again at
     * the end of every run (pipeline-end), where a rollback that broke before its end has just been ended. A run
     * that rolled nothing back, or whose report exists, gets nothing.
     */
    public void write(DeploymentRun run) {
        if (run == null || store.exists(run.id())) return;
        DeploymentStatus status = deployments.find(run.id()).map(Deployment::status).orElse(null);
        if (status != DeploymentStatus.ROLLED_BACK && status != DeploymentStatus.ROLLBACK_FAILED) return;
        IncidentReport report = render(run.id());
        if (store.save(report)) LOG.info("deployment {}: incident report written ({})", run.id(), report.title());
    }

    /** The report as the records tell it now. */
    public IncidentReport render(long deploymentId) {
        IncidentFacts facts = evidence.gather(deploymentId);
        return new IncidentReport(deploymentId, Instant.now(clock), secrets.redact(markdown.title(facts)),
                secrets.redact(markdown.render(facts)), null, null);
    }

    /** The rollback has ended whatever happens here: a report that cannot be written is an error in the log only. */
    public void notWritten(Exception cause, DeploymentRun run) {
        LOG.error("deployment {}: the incident report could not be written", run == null ? null : run.id(), cause);
    }
}
