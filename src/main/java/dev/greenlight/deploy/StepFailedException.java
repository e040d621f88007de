package dev.greenlight.deploy;

/** A step of a deployment failed; the message says which and why (it becomes the deployment's reason). */
public class StepFailedException extends RuntimeException {
    public StepFailedException(String message) {
        super(message, null, false, false);
    }
}
