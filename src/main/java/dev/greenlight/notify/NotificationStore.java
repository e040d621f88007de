package dev.greenlight.notify;

import dev.greenlight.config.Secrets;
import dev.greenlight.http.Json;
import dev.greenlight.store.Filter;
import dev.greenlight.store.Jdbc;
import dev.greenlight.store.Page;
import dev.greenlight.store.Scope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The notifications outbox: one row per notice and channel. A row is pending until delivered (sent) or out of attempts
 * (dead). Order: only a channel's oldest pending row may be claimed, so a channel's next message waits for the one
 * before it, whichever instance delivers. A claim lapses after {@link #CLAIM_LAPSES} (its instance died mid-send): at
 * least once, never lost. Every text is stored with secrets masked.
 */
public final class NotificationStore {
    public static final String PENDING = "pending";
    public static final String SENT = "sent";
    public static final String DEAD = "dead";
    public static final List<String> STATUSES = List.of(PENDING, SENT, DEAD);
    /** Longer than one delivery attempt takes (the HTTP timeouts). */
    public static final Duration CLAIM_LAPSES = Duration.ofMinutes(2);

    /** A stored notification, as the relay and the API see it. */
    public record Row(long id, String channel, String event, String severity, String app, String environment,
                      Long deploymentId, Notice notice, String status, int attempts, Instant nextAttemptAt,
                      Instant createdAt, Instant sentAt, String lastError) {
    }

    private final Jdbc jdbc;
    private final Clock clock;
    private final String holder;
    private final Secrets secrets;

    public NotificationStore(Jdbc jdbc, Clock clock, String holder, Secrets secrets) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.holder = holder;
        this.secrets = secrets;
    }

    /** Queues {@code notice} for {@code channel} inside the caller's transaction. */
    public long add(Connection c, String channel, Notice notice) throws SQLException {
        Instant now = Instant.now(clock);
        return Jdbc.insert(c, "insert into notifications (channel, event, severity, app, environment, deployment_id, "
                        + "document, status, next_attempt_at, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                channel, notice.event(), notice.severity(), notice.app(), notice.environment(), notice.deploymentId(),
                Jdbc.fit(secrets.redact(Json.write(notice)), 16000), PENDING, now, now);
    }

    /**
     * Claims the head of every channel whose head is due: its oldest pending row, when its next attempt has come and
     * no live claim holds it. Oldest first, at most {@code limit}.
     */
    public List<Row> claim(int limit) {
        Instant now = Instant.now(clock);
        Instant lapsed = now.minus(CLAIM_LAPSES);
        List<Row> heads = jdbc.query("select * from notifications n where n.status = ? and n.next_attempt_at <= ? "
                + "and (n.claimed_at is null or n.claimed_at < ?) and not exists (select 1 from notifications e "
                + "where e.channel = n.channel and e.status = ? and e.id < n.id) order by n.id limit " + limit,
                NotificationStore::map, PENDING, now, lapsed, PENDING);
        List<Row> claimed = new ArrayList<>();
        for (Row row : heads) {
            int won = jdbc.update("update notifications set claimed_by = ?, claimed_at = ? where id = ? and status = ? "
                    + "and (claimed_at is null or claimed_at < ?)", holder, now, row.id(), PENDING, lapsed);
            if (won == 1) claimed.add(row);
        }
        return claimed;
    }

    public void delivered(long id) {
        Instant now = Instant.now(clock);
        jdbc.update("update notifications set status = ?, sent_at = ?, attempts = attempts + 1, claimed_by = null, "
                + "claimed_at = null where id = ? and status = ?", SENT, now, id, PENDING);
    }

    /** A failed attempt with attempts left: tried again from {@code at}; the channel's later rows wait behind it. */
    public void retryAt(long id, Instant at, String error) {
        jdbc.update("update notifications set attempts = attempts + 1, next_attempt_at = ?, last_error = ?, "
                + "claimed_by = null, claimed_at = null where id = ? and status = ?", at, fit(error), id, PENDING);
    }

    /** Out of attempts, or refused for good: dead-lettered, and the channel's next row goes ahead. */
    public void dead(long id, String error) {
        jdbc.update("update notifications set status = ?, attempts = attempts + 1, last_error = ?, claimed_by = null, "
                + "claimed_at = null where id = ? and status = ?", DEAD, fit(error), id, PENDING);
    }

    /** A dead row pending again with its attempts from zero; false unless it was dead. */
    public boolean resend(long id) {
        return jdbc.update("update notifications set status = ?, attempts = 0, next_attempt_at = ?, last_error = null "
                + "where id = ? and status = ?", PENDING, Instant.now(clock), id, DEAD) == 1;
    }

    public Optional<Row> find(long id) {
        return jdbc.queryOne("select * from notifications where id = ?", NotificationStore::map, id);
    }

    /**
     * Newest first, within {@code scope}; rows of no environment (service alerts) only for a scope over everything.
     */
    public List<Row> list(Scope scope, String status, String channel, Page page) {
        Filter f = scope.restrict(new Filter()).equal("status", status).equal("channel", channel);
        return jdbc.query(f.newestFirst("notifications", page), NotificationStore::map, f.params());
    }

    /** How many rows are in {@code status}: how tests and the benchmark see the outbox drain. */
    public int count(String status) {
        return jdbc.queryOne("select count(*) from notifications where status = ?", rs -> rs.getInt(1), status)
                .orElse(0);
    }

    private String fit(String error) {
        return Jdbc.fit(secrets.redact(error), 1000);
    }

    private static Row map(ResultSet rs) throws SQLException {
        Notice notice;
        try {
            notice = Json.MAPPER.readValue(rs.getString("document"), Notice.class);
        } catch (IOException e) {
            throw new UncheckedIOException("notification " + rs.getLong("id") + " has an unreadable document", e);
        }
        return new Row(rs.getLong("id"), rs.getString("channel"), rs.getString("event"), rs.getString("severity"),
                rs.getString("app"), rs.getString("environment"), Jdbc.longOrNull(rs, "deployment_id"), notice,
                rs.getString("status"), rs.getInt("attempts"), Jdbc.instant(rs, "next_attempt_at"),
                Jdbc.instant(rs, "created_at"), Jdbc.instant(rs, "sent_at"), rs.getString("last_error"));
    }
}
