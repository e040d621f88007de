package dev.greenlight.api;

import dev.greenlight.audit.AuditEvent;
import dev.greenlight.audit.AuditLog;
import dev.greenlight.http.ApiError;
import dev.greenlight.http.Json;
import dev.greenlight.http.JsonReply;
import dev.greenlight.http.RemoteAddress;
import dev.greenlight.notify.Notifications;
import dev.greenlight.notify.NotificationStore;
import dev.greenlight.store.Page;
import dev.greenlight.store.Scope;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;

/**
 * {@code GET /api/v1/notifications} (filters: status pending, sent or dead; channel; limit) and
 * {@code POST /api/v1/notifications/{id}/resend} for a dead one. Both see only the notifications of environments the
 * token may act on; service alerts (no environment) only a token allowed everywhere.
 */
public final class NotificationApi {
    private final NotificationStore store;
    private final Notifications notifications;
    private final AuditLog audit;

    public NotificationApi(NotificationStore store, Notifications notifications, AuditLog audit) {
        this.store = store;
        this.notifications = notifications;
        this.audit = audit;
    }

    public void list(Exchange exchange) {
        String status = query(exchange, "status");
        if (status != null && !NotificationStore.STATUSES.contains(status)) {
            throw ApiError.badRequest("status must be one of " + String.join(", ", NotificationStore.STATUSES));
        }
        Page page = Paging.page(exchange);
        List<Map<String, Object>> rows = store.list(ApiAuth.scope(exchange), status, query(exchange, "channel"),
                page).stream().map(NotificationApi::view).toList();
        JsonReply.set(exchange, 200, Paging.reply("notifications", rows, page, r -> (Long) r.get("id")));
    }

    /** A dead notification pending again, attempts from zero; 409 unless it is dead, 404 outside the scope. */
    public void resend(Exchange exchange) {
        NotificationStore.Row row = row(exchange);
        String reason = DeploymentApi.reasonOf(exchange); // a bad body re-sends nothing
        if (!NotificationStore.DEAD.equals(row.status()) || !store.resend(row.id())) {
            throw ApiError.conflict("notification " + row.id() + " is " + store.find(row.id()).map(
                    NotificationStore.Row::status).orElse(row.status()) + ": only a dead one can be re-sent");
        }
        audit.record(AuditEvent.of(ApiAuth.caller(exchange).name(), "notification.resent", "pending")
                .target(row.app(), row.environment(), row.notice().version()).deployment(row.deploymentId())
                .source(RemoteAddress.of(exchange))
                .detail("notification " + row.id() + " (" + row.event() + " to " + row.channel() + ") re-sent"
                        + (reason == null ? "" : ": " + reason)));
        notifications.wake();
        JsonReply.set(exchange, 202, Json.write(view(store.find(row.id()).orElseThrow())));
    }

    private NotificationStore.Row row(Exchange exchange) {
        String raw = exchange.getMessage().getHeader("id", String.class);
        long id;
        try {
            id = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("notification id must be a number");
        }
        Scope scope = ApiAuth.scope(exchange);
        return store.find(id).filter(r -> scope.allows(r.app(), r.environment()))
                .orElseThrow(() -> ApiError.notFound("no notification " + id));
    }

    private static Map<String, Object> view(NotificationStore.Row r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("channel", r.channel());
        m.put("event", r.event());
        m.put("severity", r.severity());
        m.put("app", r.app());
        m.put("environment", r.environment());
        m.put("deploymentId", r.deploymentId());
        m.put("status", r.status());
        m.put("attempts", r.attempts());
        m.put("nextAttemptAt", NotificationStore.PENDING.equals(r.status()) ? r.nextAttemptAt() : null);
        m.put("createdAt", r.createdAt());
        m.put("sentAt", r.sentAt());
        m.put("lastError", r.lastError());
        m.put("message", r.notice());
        return m;
    }

    private static String query(Exchange exchange, String name) {
        return DeploymentApi.query(exchange, name);
    }
}
