package dev.greenlight.deploy;

/** A host failed a health attempt and has attempts left: the health-check route redelivers on this. */
public class UnhealthyHostException extends RuntimeException {
    public UnhealthyHostException(String message) {
        super(message, null, false, false);
    }
}
