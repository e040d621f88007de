package dev.greenlight.deploy;

import dev.greenlight.store.Jdbc;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The deployment events still to be told to the outside world, kept in the database: each is written in the
 * transaction that changes the deployment's status, then claimed by one instance, sent and marked sent.
 *
 * <p>Order: an event is not handed out while an earlier event of the same deployment is unsent, so a slow "pending"
 * can never land after the "success" that followed it, whichever instance sends what. A claim whose instance died
 * lapses after {@link #CLAIM_LAPSES}, and the event is sent again (at least once, never lost).
 */
public final class EventOutbox {
    public static final String STARTED = "started";
    public static final String FINISHED = "finished";
    /** A rolled-back deployment's incident report, to be opened as a GitHub issue. */
    public static final String INCIDENT = "incident";
    /** Longer than a send with all its retries takes. */
    public static final Duration CLAIM_LAPSES = Duration.ofMinutes(2);

    /** One event to send; {@code attempts} counts the tries that failed before. */
    public record Entry(long id, long deploymentId, String kind, int attempts) {
    }

    private final Jdbc jdbc;
    private final Clock clock;
    private final String holder;
    private final DeploymentNotices notices;

    public EventOutbox(Jdbc jdbc, Clock clock, String holder) {
        this(jdbc, clock, holder, DeploymentNotices.NONE);
    }

    /** @param notices told of every status change recorded here, in the same transaction (chat notifications) */
    public EventOutbox(Jdbc jdbc, Clock clock, String holder, DeploymentNotices notices) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.holder = holder;
        this.notices = notices;
    }

    /**
     * Adds an event inside the caller's transaction (the one that changes the deployment's status); a start or an
     * end is told to the chat channels in that transaction too.
     */
    public void record(Connection c, long deploymentId, String kind) throws SQLException {
        Jdbc.insert(c, "insert into deployment_events (deployment_id, kind, created_at) values (?, ?, ?)",
                deploymentId, kind, Instant.now(clock));
        if (!INCIDENT.equals(kind)) notices.changed(c, deploymentId);
    }

    /** Claims up to {@code limit} events that may be sent now, oldest first; another instance gets none of them. */
    public List<Entry> claim(int limit) {
        Instant now = Instant.now(clock);
        Instant lapsed = now.minus(CLAIM_LAPSES);
        List<Entry> candidates = jdbc.query("select e.id, e.deployment_id, e.kind, e.attempts from deployment_events e "
                        + "where e.sent_at is null and (e.claimed_at is null or e.claimed_at < ?) "
                        + "and (e.retry_at is null or e.retry_at <= ?) "
                        + "and not exists (select 1 from deployment_events earlier where earlier.deployment_id = "
                        + "e.deployment_id and earlier.id < e.id and earlier.sent_at is null) "
                        + "order by e.id limit " + limit,
                rs -> new Entry(rs.getLong("id"), rs.getLong("deployment_id"), rs.getString("kind"),
                        rs.getInt("attempts")), lapsed, now);
        List<Entry> claimed = new ArrayList<>();
        for (Entry entry : candidates) {
            int won = jdbc.update("update deployment_events set claimed_by = ?, claimed_at = ? where id = ? "
                    + "and sent_at is null and (claimed_at is null or claimed_at < ?)", holder, now, entry.id(), lapsed);
            if (won == 1) claimed.add(entry);
        }
        return claimed;
    }

    /** The event was delivered, or given up on after its retries: it is not sent again. */
    public void sent(long id) {
        jdbc.update("update deployment_events set sent_at = ? where id = ?", Instant.now(clock), id);
    }

    /**
     * The provider could not be reached: the event stays unsent, its claim is given up, and it is claimed again from
     * {@code retryAt} on. Later events of the same deployment wait behind it, as they wait behind any unsent one.
     */
    public void retryLater(long id, Instant retryAt) {
        jdbc.update("update deployment_events set claimed_by = null, claimed_at = null, attempts = attempts + 1, "
                + "retry_at = ? where id = ? and sent_at is null", retryAt, id);
    }

    /** Events not yet marked sent: how tests see the relay catch up. */
    public int unsent() {
        return jdbc.queryOne("select count(*) from deployment_events where sent_at is null", rs -> rs.getInt(1))
                .orElse(0);
    }
}
