package dev.greenlight.api;

import dev.greenlight.deploy.Deployment;
import dev.greenlight.http.ApiError;
import dev.greenlight.http.JsonReply;
import dev.greenlight.incident.IncidentReport;
import dev.greenlight.incident.IncidentReportStore;
import org.apache.camel.Exchange;

/** GET /api/v1/deployments/{id}/incident: the Markdown incident report a rollback wrote. */
public final class IncidentApi {
    static final String CONTENT_TYPE = "text/markdown; charset=utf-8";

    private final DeploymentApi deployments;
    private final IncidentReportStore reports;

    public IncidentApi(DeploymentApi deployments, IncidentReportStore reports) {
        this.deployments = deployments;
        this.reports = reports;
    }

    /** The deployment is looked up as {@code GET /api/v1/deployments/{id}} does: outside the caller's scope, 404. */
    public void get(Exchange exchange) {
        Deployment d = deployments.deployment(exchange);
        IncidentReport report = reports.find(d.id()).orElseThrow(() -> ApiError.notFound("deployment " + d.id()
                + " has no incident report: one is written when a rollback ends"));
        JsonReply.set(exchange, 200, CONTENT_TYPE, report.markdown());
    }

    /** Where the report is served: under {@code github.public-url} when set, else the path alone. */
    static String url(String publicUrl, long id) {
        String path = "/api/v1/deployments/" + id + "/incident";
        return publicUrl == null ? path : publicUrl + path;
    }
}
