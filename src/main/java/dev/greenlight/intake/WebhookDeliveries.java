package dev.greenlight.intake;

import dev.greenlight.store.Jdbc;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * GitHub deliveries and the answers they got, in the database so that they survive restarts and are shared by every
 * instance: a redelivery gets the first answer again and queues nothing new.
 *
 * <p>A delivery is claimed and answered in one transaction, the one that queues its deployments. A claim is
 * therefore never seen without its answer: if the process dies before the commit, the database rolls the claim
 * back with everything else, and GitHub's redelivery is processed afresh.
 */
public final class WebhookDeliveries {
    /**
     * How long a copy of a delivery waits for the first copy's transaction to end. That transaction does no more
     * than queue and audit (milliseconds; p99 under 100 ms at 500 deliveries/s), so waiting on its row lock gives
     * the redelivery the real first answer instead of a "retry later". A first copy stalled beyond this is not
     * waited for: the HTTP thread is answered at once ({@link DeliveryInFlightException}). PostgreSQL only; H2
     * bounds every lock wait by its own lock timeout (2 s by default).
     */
    static final Duration IN_FLIGHT_WAIT = Duration.ofMillis(500);
    /** PostgreSQL's lock_not_available, H2's lock timeout. */
    private static final Set<String> LOCK_TIMEOUT_STATES = Set.of("55P03", "HYT00");

    public record Answer(int status, String body) {
    }

    private final Clock clock;

    public WebhookDeliveries(Clock clock) {
        this.clock = clock;
    }

    /**
     * Claims {@code deliveryId} inside the caller's transaction. Empty when the delivery is new: the caller must
     * then {@link #answer} it in the same transaction. Otherwise the answer it got first.
     *
     * @throws DeliveryInFlightException when another copy of it is being processed right now
     */
    public Optional<Answer> claim(Connection c, String deliveryId, String event) throws SQLException {
        if (insertClaim(c, deliveryId, event)) return Optional.empty();
        Optional<Answer> first = answerOf(c, deliveryId);
        if (first.isPresent()) return first;
        // a claim committed without an answer is an earlier version's (it committed claims on their own), left by a
        // crash: take it over. An instance of that version still running on the same database would commit such a
        // claim while it processes the delivery, which is why an upgrade stops every older instance first (README)
        int taken = Jdbc.update(c, "update webhook_deliveries set event = ?, received_at = ? "
                + "where delivery_id = ? and response_status is null", event, Instant.now(clock), deliveryId);
        if (taken == 1) return Optional.empty();
        // another copy took it over first and has committed its answer since
        return Optional.of(answerOf(c, deliveryId).orElseThrow(() -> new DeliveryInFlightException(deliveryId)));
    }

    /**
     * Inserts the claim row; false when the delivery is known. A copy whose transaction is still open is waited for
     * (briefly): when it commits, the delivery is known; when it rolls back, this claim is inserted.
     */
    private boolean insertClaim(Connection c, String deliveryId, String event) throws SQLException {
        boolean postgres = Jdbc.isPostgres(c);
        if (postgres) Jdbc.update(c, "set local lock_timeout = '" + IN_FLIGHT_WAIT.toMillis() + "ms'");
        int inserted;
        try {
            inserted = Jdbc.update(c, "insert into webhook_deliveries (delivery_id, event, received_at) "
                    + "values (?, ?, ?) on conflict do nothing", deliveryId, event, Instant.now(clock));
        } catch (SQLException e) {
            if (LOCK_TIMEOUT_STATES.contains(e.getSQLState())) throw new DeliveryInFlightException(deliveryId);
            throw e;
        }
        // the rest of the transaction (the queue's lock) waits as it would without a claim
        if (postgres) Jdbc.update(c, "set local lock_timeout to default");
        return inserted == 1;
    }

    /** Stores the answer of a delivery claimed in this transaction. */
    public void answer(Connection c, String deliveryId, Answer answer) throws SQLException {
        Jdbc.update(c, "update webhook_deliveries set response_status = ?, response_body = ? where delivery_id = ?",
                answer.status(), Jdbc.fit(answer.body(), 4000), deliveryId);
    }

    /** The stored answer of a delivery, if it was answered. */
    Optional<Answer> answerOf(Connection c, String deliveryId) throws SQLException {
        return Jdbc.query(c, "select response_status, response_body from webhook_deliveries where delivery_id = ? "
                + "and response_status is not null", rs -> new Answer(rs.getInt(1), rs.getString(2)), deliveryId)
                .stream().findFirst();
    }
}
