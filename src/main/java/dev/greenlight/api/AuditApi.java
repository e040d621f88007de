package dev.greenlight.api;

import dev.greenlight.audit.AuditChain;
import dev.greenlight.audit.AuditEvent;
import dev.greenlight.audit.AuditLog;
import dev.greenlight.audit.ChainVerdict;
import dev.greenlight.deploy.Deployment;
import dev.greenlight.deploy.DeploymentStore;
import dev.greenlight.http.Accept;
import dev.greenlight.http.ApiError;
import dev.greenlight.http.Json;
import dev.greenlight.http.JsonReply;
import dev.greenlight.store.Page;
import dev.greenlight.store.Scope;
import dev.greenlight.trail.AuditTrailDocument;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;

/**
 * The audit trail: its entries (JSON), the trail as a document (Markdown or CSV, one row per deployment) and the
 * check of its hash chain.
 */
public final class AuditApi {
    /** What {@code format} may ask for, and the content type each answers with. */
    private static final Map<String, String> FORMATS = Map.of("json", "application/json",
            "markdown", AuditTrailDocument.MARKDOWN, "csv", AuditTrailDocument.CSV);

    private final AuditLog audit;
    private final AuditChain chain;
    private final DeploymentStore deployments;
    private final AuditTrailDocument document;

    public AuditApi(AuditLog audit, AuditChain chain, DeploymentStore deployments, AuditTrailDocument document) {
        this.audit = audit;
        this.chain = chain;
        this.deployments = deployments;
        this.document = document;
    }

    /**
     * GET /api/v1/audit: entries of environments the caller may see (see {@link ApiAuth#scope}); with
     * {@code format=markdown} or {@code csv}, the deployments of those environments as a document. Same filters.
     */
    public void list(Exchange exchange) {
        String format = DeploymentApi.query(exchange, "format") == null ? "json" : DeploymentApi.query(exchange, "format");
        String type = FORMATS.get(format);
        if (type == null) throw ApiError.badRequest("format must be one of csv, json, markdown");
        String mediaType = type.split(";")[0];
        String accept = exchange.getMessage().getHeader("Accept", String.class);
        if (!Accept.admits(accept, mediaType)) {
            throw new ApiError(406, "/api/v1/audit?format=" + format + " answers " + mediaType + " only, which Accept: "
                    + (accept.length() > 100 ? accept.substring(0, 100) + "…" : accept) + " does not admit");
        }
        Scope scope = ApiAuth.scope(exchange);
        String app = DeploymentApi.query(exchange, "app");
        String environment = DeploymentApi.query(exchange, "environment");
        Instant since = since(exchange);
        Page page = Paging.page(exchange);
        if (format.equals("json")) {
            JsonReply.set(exchange, 200, Paging.reply("entries", audit.list(scope, app, environment, since, page),
                    page, AuditEvent::id));
            return;
        }
        List<Deployment> rows = deployments.list(scope, app, environment, null, since, page);
        JsonReply.set(exchange, 200, type, format.equals("csv") ? document.csv(rows)
                : document.markdown(rows, filters(app, environment, since, page)));
    }

    /**
     * GET /api/v1/audit/verify: the chain spans every environment, and what breaks it may be any environment's, so
     * only a token allowed on all of them may check it.
     */
    public void verify(Exchange exchange) {
        if (!ApiAuth.scope(exchange).isEverything()) {
            throw ApiError.forbidden("token " + ApiAuth.caller(exchange).name() + " may not verify the audit chain: "
                    + "it holds the entries of every environment, so only a token allowed on all of them may");
        }
        ChainVerdict v = chain.verify();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("valid", v.valid());
        if (v.valid()) {
            answer.put("entries", v.entries());
            answer.put("legacyEntries", v.legacyEntries());
            answer.put("lastEntry", v.lastEntry());
            answer.put("lastHash", v.lastHash());
        } else {
            answer.put("firstBadEntry", v.firstBadEntry());
            answer.put("reason", v.reason());
        }
        JsonReply.set(exchange, v.valid() ? 200 : 409, Json.write(answer));
    }

    private static Instant since(Exchange exchange) {
        String raw = DeploymentApi.query(exchange, "since");
        if (raw == null) return null;
        try {
            return Instant.parse(raw);
        } catch (DateTimeParseException e) {
            throw ApiError.badRequest("since must be an ISO-8601 instant like 2026-01-31T12:00:00Z");
        }
    }

    /** The filters a document was made with, for its heading; null for none. */
    private static String filters(String app, String environment, Instant since, Page page) {
        StringBuilder s = new StringBuilder();
        if (app != null) s.append("app ").append(app).append(", ");
        if (environment != null) s.append("environment ").append(environment).append(", ");
        if (since != null) s.append("since ").append(since).append(", ");
        if (page.before() != null) s.append("before deployment ").append(page.before()).append(", ");
        s.append("at most ").append(page.limit());
        return s.toString();
    }
}
