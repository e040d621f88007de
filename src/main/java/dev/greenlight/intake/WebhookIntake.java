package dev.greenlight.intake;

import dev.greenlight.audit.AuditEvent;
import dev.greenlight.audit.AuditLog;
import dev.greenlight.audit.RefusalLimiter;
import dev.greenlight.deploy.Deployment;
import dev.greenlight.deploy.DeploymentQueue;
import dev.greenlight.deploy.DeploymentRequest;
import dev.greenlight.deploy.DeploymentStore;
import dev.greenlight.deploy.EnvironmentLease;
import dev.greenlight.http.ApiError;
import dev.greenlight.http.ApiErrors;
import dev.greenlight.http.Json;
import dev.greenlight.http.JsonReply;
import dev.greenlight.http.RemoteAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The GitHub webhook: checks the signature on the body as sent, reads the event from either content type, and
 * claims the delivery, queues what it triggers and stores the answer in one transaction; answers at once.
 */
public final class WebhookIntake {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookIntake.class);
    static final String DELIVERY = "X-GitHub-Delivery";
    static final String EVENT = "X-GitHub-Event";
    static final String SIGNATURE = "X-Hub-Signature-256";
    /** Seconds a copy of a delivery still in flight is told to wait before it is sent again. */
    static final String RETRY_AFTER_SECONDS = "2";
    /** The sizes of webhook_deliveries.delivery_id and .event. */
    private static final int MAX_DELIVERY_ID = 100;
    private static final int MAX_EVENT_NAME = 64;

    private final byte[] secret;
    private final GithubEventParser parser = new GithubEventParser();
    private final TriggerMatcher matcher;
    private final DeploymentQueue queue;
    private final DeploymentStore deployments;
    private final WebhookDeliveries deliveries;
    private final AuditLog audit;
    private final EnvironmentLease lease;
    private final RefusalLimiter refusals;
    private final java.util.function.Consumer<String> badSignature;

    /** @param badSignature told the client of each delivery refused for a wrong signature (the security alert) */
    public WebhookIntake(Optional<String> secret, TriggerMatcher matcher, DeploymentQueue queue,
                         DeploymentStore deployments, WebhookDeliveries deliveries, AuditLog audit,
                         RefusalLimiter refusals, EnvironmentLease lease,
                         java.util.function.Consumer<String> badSignature) {
        this.secret = secret.map(s -> s.getBytes(StandardCharsets.UTF_8)).orElse(null);
        if (this.secret == null) {
            LOG.warn("GREENLIGHT_WEBHOOK_SECRET (or GREENLIGHT_WEBHOOK_SECRET_FILE) is not set: every GitHub "
                    + "delivery will be refused");
        }
        this.matcher = matcher;
        this.queue = queue;
        this.deployments = deployments;
        this.deliveries = deliveries;
        this.audit = audit;
        this.lease = lease;
        this.refusals = refusals;
        this.badSignature = badSignature;
    }

    /**
     * First step of the route: only a correctly signed delivery with its headers goes further. The signature is
     * checked before anything parses the body, whatever its content type, so an unsigned sender learns nothing.
     * Only two answers come before it: 429 for a client blocked for too many refusals, and 413 for a body over the
     * size limit (the server refuses it while reading it).
     */
    public void verify(Exchange exchange) {
        exchange.setProperty(ApiErrors.ACTOR, "github");
        exchange.setProperty(ApiErrors.ACTION, "webhook.refused");
        String source = RemoteAddress.of(exchange);
        ApiError.requireAdmitted(refusals, source);
        if (!(exchange.getMessage().getBody() instanceof byte[] body)) {
            throw new IllegalStateException("the webhook's endpoint must set useBodyHandler=false (RawBodyConsumer)");
        }
        String event = exchange.getMessage().getHeader(EVENT, String.class);
        if (secret == null || !WebhookSignature.verify(secret, body, exchange.getMessage().getHeader(SIGNATURE, String.class))) {
            String why = secret == null ? "no webhook secret is configured" : "missing or wrong X-Hub-Signature-256";
            refusals.refused(source, AuditEvent.of("github", "webhook.refused", "unauthorized").source(source)
                    .detail(why + " (event " + event + ", delivery " + exchange.getMessage().getHeader(DELIVERY) + ")"));
            // without a secret every delivery is refused: the start-up warning says so, an alert would only repeat it
            if (secret != null) badSignature.accept(source);
            throw ApiError.unauthorized("signature refused: " + why).audited();
        }
        exchange.setProperty(ApiErrors.AUTHENTICATED, true);
        String delivery = exchange.getMessage().getHeader(DELIVERY, String.class);
        if (delivery == null || delivery.isBlank()) throw ApiError.badRequest("X-GitHub-Delivery header is required");
        if (delivery.length() > MAX_DELIVERY_ID) {
            throw ApiError.badRequest("X-GitHub-Delivery header is longer than " + MAX_DELIVERY_ID + " characters");
        }
        if (event == null || event.isBlank()) throw ApiError.badRequest("X-GitHub-Event header is required");
        if (event.length() > MAX_EVENT_NAME) {
            throw ApiError.badRequest("X-GitHub-Event header is longer than " + MAX_EVENT_NAME + " characters");
        }
    }

    /** Second step: the body becomes the event's JSON, from either content type (415 for any other). */
    public void readPayload(Exchange exchange) {
        var message = exchange.getMessage();
        message.setBody(WebhookPayload.json(message.getHeader(Exchange.CONTENT_TYPE, String.class),
                message.getBody(byte[].class)));
    }

    /**
     * Claims the delivery, queues what it triggers and stores the answer, all in one transaction: a crash before
     * the commit leaves nothing, so GitHub's redelivery is processed afresh. A delivery answered before gets that
     * answer again; one whose first copy is still in flight gets 409 with Retry-After.
     */
    public void handle(Exchange exchange) {
        String deliveryId = exchange.getMessage().getHeader(DELIVERY, String.class);
        String eventName = exchange.getMessage().getHeader(EVENT, String.class);
        String source = RemoteAddress.of(exchange);
        GithubEvent event;
        try {
            event = parser.parse(eventName, exchange.getMessage().getBody(byte[].class));
        } catch (MalformedPayloadException e) {
            throw ApiError.badRequest("malformed payload: " + e.getMessage());
        }
        TriggerMatch match = matcher.match(event, deliveryId);
        Outcome outcome;
        try {
            outcome = deployments.inTransaction(c -> {
                Optional<WebhookDeliveries.Answer> first = deliveries.claim(c, deliveryId, eventName);
                if (first.isPresent()) return new Outcome(first.get(), false);
                WebhookDeliveries.Answer a = answer(c, event, match, source);
                deliveries.answer(c, deliveryId, a);
                return new Outcome(a, a.status() == 202);
            });
        } catch (DeliveryInFlightException e) {
            audit.record(AuditEvent.of(actor(event), "webhook.refused", ApiErrors.outcome(409)).source(source)
                    .detail(e.getMessage() + " (" + eventName + " from " + event.repository() + ")"));
            JsonReply.set(exchange, 409, Json.error(e.getMessage()));
            exchange.getMessage().setHeader("Retry-After", RETRY_AFTER_SECONDS);
            return;
        }
        JsonReply.set(exchange, outcome.answer().status(), outcome.answer().body());
        exchange.setProperty("greenlightQueued", outcome.queued());
    }

    /** The answer to a delivery, and whether it queued deployments just now (a replayed answer queued nothing). */
    private record Outcome(WebhookDeliveries.Answer answer, boolean queued) {
    }

    /** What a first delivery is answered, queueing its deployments in the caller's transaction. */
    private WebhookDeliveries.Answer answer(Connection c, GithubEvent event, TriggerMatch match, String source)
            throws SQLException {
        if (match.refusal() != null) {
            audit.record(c, AuditEvent.of(actor(event), "webhook.refused", "refused").source(source)
                    .detail(match.refusal() + " (" + event.eventName() + " from " + event.repository() + ")"));
            return new WebhookDeliveries.Answer(422, Json.error(match.refusal()));
        }
        if (match.requests().isEmpty()) {
            return new WebhookDeliveries.Answer(200, Json.write(Map.of("status", "ignored", "reason", match.ignoredReason())));
        }
        List<Map<String, Object>> queued = new ArrayList<>();
        for (DeploymentRequest r : match.requests()) {
            queued.add(summary(c, queue.enqueue(c, r, source)));
        }
        return new WebhookDeliveries.Answer(202, Json.write(Map.of("deployments", queued)));
    }

    /** A queued deployment in the answer, with the lock notice when a failed rollback locks its environment. */
    private Map<String, Object> summary(Connection c, Deployment d) throws SQLException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id());
        m.put("app", d.app());
        m.put("environment", d.environment());
        m.put("version", d.version());
        m.put("status", d.status().key());
        // on the transaction's own connection: with every pooled connection held by such a transaction, asking the
        // pool for a second one would wait out its timeout and fail every delivery in flight
        lease.lockNotice(c, d.app(), d.environment()).ifPresent(m::putAll);
        return m;
    }

    private static String actor(GithubEvent event) {
        return "github:" + (event.sender() == null ? "unknown" : event.sender());
    }
}
