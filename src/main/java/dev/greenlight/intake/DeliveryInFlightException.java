package dev.greenlight.intake;

/** Another copy of a GitHub delivery is being processed right now; this copy is answered "retry later". */
public final class DeliveryInFlightException extends RuntimeException {
    public DeliveryInFlightException(String deliveryId) {
        super("delivery " + deliveryId + " is still being processed; retry later", null, false, false);
    }
}
