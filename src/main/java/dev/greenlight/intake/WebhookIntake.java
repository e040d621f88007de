package dev.greenlight.intake;

import dev.greenlight.api.ApiError;
import dev.greenlight.api.ApiErrors;
import dev.greenlight.api.Json;
import dev.greenlight.api.JsonReply;
import dev.greenlight.audit.AuditEvent;
import dev.greenlight.audit.AuditLog;
import dev.greenlight.audit.RefusalLimiter;
import dev.greenlight.deploy.Deployment;
import dev.greenlight.deploy.DeploymentQueue;
import dev.greenlight.deploy.DeploymentRequest;
import dev.greenlight.deploy.DeploymentStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The GitHub webhook: checks the signature, turns the event into queued deployments, answers at once. */
public final class WebhookIntake {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookIntake.class);
    static final String DELIVERY = "X-GitHub-Delivery";
    static final String EVENT = "X-GitHub-Event";
    static final String SIGNATURE = "X-Hub-Signature-256";
    private static final long REPLAY_WAIT_MS = 5000;
    /** The sizes of webhook_deliveries.delivery_id and .event. */
    private static final int MAX_DELIVERY_ID = 100;
    private static final int MAX_EVENT_NAME = 64;
    public static final String CONTENT_TYPE_HINT = "GitHub webhooks must be configured with content type application/json";

    private final byte[] secret;
    private final GithubEventParser parser = new GithubEventParser();
    private final TriggerMatcher matcher;
    private final DeploymentQueue queue;
    private final DeploymentStore deployments;
    private final WebhookDeliveries deliveries;
    private final AuditLog audit;
    private final RefusalLimiter refusals;

    public WebhookIntake(Optional<String> secret, TriggerMatcher matcher, DeploymentQueue queue,
                         DeploymentStore deployments, WebhookDeliveries deliveries, AuditLog audit,
                         RefusalLimiter refusals) {
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
        this.refusals = refusals;
    }

    /** First step of the route: only a correctly signed delivery with its headers goes further. */
    public void verify(Exchange exchange) {
        exchange.setProperty(ApiErrors.ACTOR, "github");
        exchange.setProperty(ApiErrors.ACTION, "webhook.refused");
        String source = RemoteAddress.of(exchange);
        Optional<java.time.Duration> blocked = refusals.admit(source);
        if (blocked.isPresent()) throw ApiError.tooManyRefusals(source, blocked.get());
        JsonBody.requireJsonContentType(exchange, CONTENT_TYPE_HINT);
        byte[] body = JsonBody.raw(exchange);
        String event = exchange.getMessage().getHeader(EVENT, String.class);
        if (secret == null || !WebhookSignature.verify(secret, body == null ? new byte[0] : body,
                exchange.getMessage().getHeader(SIGNATURE, String.class))) {
            String why = secret == null ? "no webhook secret is configured" : "missing or wrong X-Hub-Signature-256";
            refusals.refused(source, AuditEvent.of("github", "webhook.refused", "unauthorized").source(source)
                    .detail(why + " (event " + event + ", delivery " + exchange.getMessage().getHeader(DELIVERY) + ")"));
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

    /** A first delivery: queue what it triggers and store the answer with the deployments, in one transaction. */
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
        WebhookDeliveries.Answer answer = deployments.inTransaction(c -> {
            WebhookDeliveries.Answer a;
            if (match.refusal() != null) {
                a = new WebhookDeliveries.Answer(422, Json.error(match.refusal()));
                audit.record(c, AuditEvent.of(actor(event), "webhook.refused", "refused").source(source)
                        .detail(match.refusal() + " (" + eventName + " from " + event.repository() + ")"));
            } else if (match.requests().isEmpty()) {
                a = new WebhookDeliveries.Answer(200, Json.write(Map.of("status", "ignored", "reason", match.ignoredReason())));
            } else {
                List<Map<String, Object>> queued = new ArrayList<>();
                for (DeploymentRequest r : match.requests()) {
                    queued.add(summary(queue.enqueue(c, r, source)));
                }
                a = new WebhookDeliveries.Answer(202, Json.write(Map.of("deployments", queued)));
            }
            deliveries.answer(c, deliveryId, eventName, a);
            return a;
        });
        JsonReply.set(exchange, answer.status(), answer.body());
        exchange.setProperty("greenlightQueued", answer.status() == 202);
    }

    /** A redelivery: the first answer again. While the first is still in flight, wait for it briefly. */
    public void replay(Exchange exchange) throws InterruptedException {
        String deliveryId = exchange.getMessage().getHeader(DELIVERY, String.class);
        long deadline = System.currentTimeMillis() + REPLAY_WAIT_MS;
        Optional<WebhookDeliveries.Answer> answer = deliveries.answerOf(deliveryId);
        while (answer.isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
            answer = deliveries.answerOf(deliveryId);
        }
        WebhookDeliveries.Answer a = answer.orElseThrow(() ->
                ApiError.conflict("delivery " + deliveryId + " is still being processed; retry later"));
        JsonReply.set(exchange, a.status(), a.body());
    }

    static Map<String, Object> summary(Deployment d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id());
        m.put("app", d.app());
        m.put("environment", d.environment());
        m.put("version", d.version());
        m.put("status", d.status().key());
        return m;
    }

    private static String actor(GithubEvent event) {
        return "github:" + (event.sender() == null ? "unknown" : event.sender());
    }
}
