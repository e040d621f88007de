package dev.greenlight.registry;

/**
 * The registry could not be asked: unreachable, refused authentication, rate limited or answered nonsense.
 * Distinct from a missing tag, which is a normal answer ({@link TagCheck#exists()} false). Messages never
 * contain credentials or tokens.
 */
public class RegistryException extends RuntimeException {

    public RegistryException(String message) {
        super(message);
    }

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
