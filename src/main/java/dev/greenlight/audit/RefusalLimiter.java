package dev.greenlight.audit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps refusals of callers nobody has authenticated (a missing or wrong token, a bad webhook signature, a body the
 * server would not read) auditable without letting them grow the audit trail without bound. Per client address
 * and window: the first {@code limit} refusals are audited one by one; after that the client is blocked until the
 * window ends (its requests are answered 429, valid ones too, so guessing a token or signature gains nothing), and
 * everything refused meanwhile is counted in memory and written as one summary entry when the window ends. The
 * audit table is append-only, so a summary is written once, never updated.
 *
 * <p>Only {@value #MAX_CLIENTS} clients are tracked at a time; beyond that, new addresses share one "other
 * clients" allowance of audit rows, so spreading requests over many addresses does not buy more audit rows either.
 * That shared allowance is never blocked: their refusals are counted, not answered 429.
 */
public final class RefusalLimiter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RefusalLimiter.class);
    static final int MAX_CLIENTS = 10_000;
    private final int maxClients;
    static final String OTHERS = "other clients";
    public static final String SUMMARY_ACTION = "http.refusals_limited";

    private final AuditLog audit;
    private final Clock clock;
    private final int limit;
    private final Duration window;
    private final Map<String, Window> windows = new HashMap<>();

    /** One client's window: when it started, how many refusals it holds, what was not audited one by one. */
    private static final class Window {
        final Instant start;
        int refused;
        int unrecorded;
        String lastUnrecorded;

        Window(Instant start) {
            this.start = start;
        }
    }

    public RefusalLimiter(AuditLog audit, Clock clock, int limit, Duration window) {
        this(audit, clock, limit, window, MAX_CLIENTS);
    }

    RefusalLimiter(AuditLog audit, Clock clock, int limit, Duration window, int maxClients) {
        if (limit < 1) throw new IllegalArgumentException("limit must be at least 1");
        this.maxClients = maxClients;
        this.audit = audit;
        this.clock = clock;
        this.limit = limit;
        this.window = window;
    }

    /**
     * Whether a request from {@code client} may be served: empty if so, else how long until its window ends (the
     * request is then counted as refused).
     */
    public Optional<Duration> admit(String client) {
        List<AuditEvent> ended = new ArrayList<>();
        Optional<Duration> wait;
        synchronized (this) {
            Instant now = clock.instant();
            String key = key(client);
            Window w = current(key, now, ended, false);
            // the shared allowance of untracked addresses only bounds their audit rows: blocking it would let anyone
            // who fills the table with addresses have every new client (GitHub's senders too) refused
            if (w == null || w.refused < limit || OTHERS.equals(key)) {
                wait = Optional.empty();
            } else {
                w.refused++;
                w.unrecorded++;
                w.lastUnrecorded = "a request while blocked";
                wait = Optional.of(Duration.between(now, w.start.plus(window)));
            }
        }
        write(ended);
        return wait;
    }

    /** A refused request from {@code client}: audited as {@code entry} while the client is under its limit. */
    public void refused(String client, AuditEvent entry) {
        List<AuditEvent> toWrite = new ArrayList<>();
        synchronized (this) {
            Window w = current(key(client), clock.instant(), toWrite, true);
            w.refused++;
            if (w.refused <= limit) {
                toWrite.add(entry.source(client));
            } else {
                w.unrecorded++;
                w.lastUnrecorded = entry.action() + " " + entry.outcome()
                        + (entry.detail() == null ? "" : ": " + entry.detail());
            }
        }
        write(toWrite);
    }

    /** Writes the summaries of the windows that have ended (run periodically). */
    public void flush() {
        List<AuditEvent> ended = new ArrayList<>();
        synchronized (this) {
            Instant now = clock.instant();
            for (Iterator<Map.Entry<String, Window>> it = windows.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, Window> e = it.next();
                if (!now.isBefore(e.getValue().start.plus(window))) {
                    summary(e.getKey(), e.getValue(), now).ifPresent(ended::add);
                    it.remove();
                }
            }
        }
        write(ended);
    }

    /** At shutdown: what was counted so far is written, whether or not its window has ended. */
    @Override
    public void close() {
        List<AuditEvent> all = new ArrayList<>();
        synchronized (this) {
            Instant now = clock.instant();
            windows.forEach((client, w) -> summary(client, w, now).ifPresent(all::add));
            windows.clear();
        }
        write(all);
    }

    /** The client's window now: an ended one is summarised and replaced; with {@code create}, a new one is opened. */
    private Window current(String client, Instant now, List<AuditEvent> ended, boolean create) {
        Window w = windows.get(client);
        if (w != null && !now.isBefore(w.start.plus(window))) {
            summary(client, w, now).ifPresent(ended::add);
            windows.remove(client);
            w = null;
        }
        if (w == null && create) {
            w = new Window(now);
            windows.put(client, w);
        }
        return w;
    }

    private String key(String client) {
        String c = client == null ? "unknown" : client;
        if (windows.containsKey(c) || windows.size() < maxClients) return c;
        return OTHERS;
    }

    private Optional<AuditEvent> summary(String client, Window w, Instant now) {
        if (w.unrecorded == 0) return Optional.empty();
        Instant end = w.start.plus(window);
        return Optional.of(AuditEvent.of("anonymous", SUMMARY_ACTION, "rate_limited").source(client)
                .detail(w.unrecorded + " more refused or blocked requests from " + client + " between " + w.start
                        + " and " + (now.isBefore(end) ? now : end) + " (" + w.refused + " refused in all; the first "
                        + limit + " are audited one by one), answered 429; last: " + w.lastUnrecorded));
    }

    /** Outside the lock: a slow database must not hold up every other caller's check. */
    private void write(List<AuditEvent> entries) {
        for (AuditEvent e : entries) {
            try {
                audit.record(e);
            } catch (RuntimeException ex) {
                // the refusal is answered all the same; the failure to audit it is the operator's to see
                LOG.error("could not audit a refusal from {}: {}", e.source(), e.detail(), ex);
            }
        }
    }
}
