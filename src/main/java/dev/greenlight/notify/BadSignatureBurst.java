package dev.greenlight.notify;

import dev.greenlight.config.Durations;
import dev.greenlight.config.NotificationEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counts webhook deliveries refused for their signature, over all clients: {@code limit} of them within one window
 * raise one security alert for that window (the next window may raise the next). In memory: a restart forgets an open
 * window's count, never a refusal's audit entry.
 */
public final class BadSignatureBurst {
    private final Notifications notifications;
    private final NoticeFactory notices;
    private final Clock clock;
    private final int limit;
    private final Duration window;
    private Instant windowStart;
    private int count;
    private boolean raised;

    public BadSignatureBurst(Notifications notifications, NoticeFactory notices, Clock clock, int limit,
                             Duration window) {
        this.notifications = notifications;
        this.notices = notices;
        this.clock = clock;
        this.limit = limit;
        this.window = window;
    }

    /** A delivery from {@code client} whose signature was refused. */
    public void refused(String client) {
        Notice alert;
        synchronized (this) {
            Instant now = clock.instant();
            if (windowStart == null || !now.isBefore(windowStart.plus(window))) {
                windowStart = now;
                count = 0;
                raised = false;
            }
            count++;
            if (raised || count < limit) return;
            raised = true;
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("Bad signatures", count);
            figures.put("Window", Durations.format(window));
            figures.put("Since", windowStart.toString());
            figures.put("Last client", client);
            alert = notices.serviceAlert(NotificationEvent.BAD_SIGNATURES, count + " webhook deliveries with a bad "
                    + "signature within " + Durations.format(window), "webhook deliveries are arriving with a "
                    + "signature that does not match GREENLIGHT_WEBHOOK_SECRET: someone may be probing the webhook, "
                    + "or the secret was changed on one side only (see the audit trail, action webhook.refused)",
                    figures);
        }
        notifications.serviceAlert(alert); // outside the lock: a slow database holds up no other refusal
    }
}
