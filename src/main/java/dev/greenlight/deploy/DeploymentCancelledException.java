package dev.greenlight.deploy;

/** A cancel was requested while the deployment ran; it stops after its current step. */
public class DeploymentCancelledException extends StepFailedException {
    public DeploymentCancelledException() {
        super("cancelled on request: stopped after its current step");
    }

    /** Cancelled for another reason than a request (a wait that ran out), which {@code message} gives. */
    public DeploymentCancelledException(String message) {
        super(message);
    }
}
