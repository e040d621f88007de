package dev.greenlight.intake;

import dev.greenlight.store.Jdbc;
import dev.greenlight.store.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The idempotent consumer's memory of GitHub deliveries, in the database so that it survives restarts and is shared
 * by every instance. The first delivery's answer is stored with it, so a redelivery gets that answer again.
 */
public final class WebhookDeliveries extends ServiceSupport implements IdempotentRepository {
    public record Answer(int status, String body) {
    }

    private final Jdbc jdbc;
    private final Clock clock;

    public WebhookDeliveries(Jdbc jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public boolean add(String deliveryId) {
        try {
            jdbc.update("insert into webhook_deliveries (delivery_id, received_at) values (?, ?)", deliveryId,
                    Instant.now(clock));
            return true;
        } catch (StoreException e) {
            if (e.isDuplicateKey()) return false;
            throw e;
        }
    }

    @Override
    public boolean contains(String deliveryId) {
        return jdbc.queryOne("select 1 from webhook_deliveries where delivery_id = ?", rs -> true, deliveryId).isPresent();
    }

    /**
     * Called when processing failed: GitHub's redelivery may then be processed afresh. Only a delivery that has no
     * stored answer yet is forgotten: once answered, its deployments are queued and a redelivery must replay.
     */
    @Override
    public boolean remove(String deliveryId) {
        return jdbc.update("delete from webhook_deliveries where delivery_id = ? and response_status is null",
                deliveryId) == 1;
    }

    @Override
    public boolean confirm(String deliveryId) {
        return true;
    }

    @Override
    public void clear() {
        throw new UnsupportedOperationException("webhook deliveries are kept for de-duplication");
    }

    /** Stores the answer inside the transaction that also queued the deployments. */
    public void answer(Connection c, String deliveryId, String event, Answer answer) throws SQLException {
        Jdbc.update(c, "update webhook_deliveries set event = ?, response_status = ?, response_body = ? "
                + "where delivery_id = ?", event, answer.status(), Jdbc.fit(answer.body(), 4000), deliveryId);
    }

    /** The first answer; empty while the first delivery is still being processed. */
    public Optional<Answer> answerOf(String deliveryId) {
        return jdbc.queryOne("select response_status, response_body from webhook_deliveries where delivery_id = ? "
                + "and response_status is not null", rs -> new Answer(rs.getInt(1), rs.getString(2)), deliveryId);
    }
}
