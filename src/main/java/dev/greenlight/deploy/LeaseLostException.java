package dev.greenlight.deploy;

/**
 * Thrown at a cancel point when this instance no longer holds the environment's lease: it lapsed (this JVM stalled
 * for most of a TTL, or could not renew it) or another instance has taken it. Whoever holds it now settles the
 * deployment, so this run changes no other host and rolls nothing back; it is left to that lease.
 */
public final class LeaseLostException extends StepFailedException {
    public LeaseLostException() {
        super("this instance no longer holds the environment's lease (it lapsed, or another instance took it over): "
                + "the run stops before its next step");
    }
}
