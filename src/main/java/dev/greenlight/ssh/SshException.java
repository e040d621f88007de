package dev.greenlight.ssh;

/**
 * Failure to reach, trust, authenticate to, or run a command on a remote host.
 * Messages are meant for step records shown to operators: they name the target and the reason,
 * and never contain key material or command text.
 */
public class SshException extends RuntimeException {

    public SshException(String message) {
        super(message);
    }

    public SshException(String message, Throwable cause) {
        super(message, cause);
    }
}
