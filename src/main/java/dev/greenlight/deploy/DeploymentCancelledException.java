package dev.greenlight.deploy;

/** A cancel was requested while the deployment ran; it stopped before its next step. */
public class DeploymentCancelledException extends StepFailedException {
    public DeploymentCancelledException() {
        super("cancelled on request, before its next step");
    }
}
