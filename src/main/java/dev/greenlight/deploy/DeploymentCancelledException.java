package dev.greenlight.deploy;

/** A cancel was requested while the deployment ran; it stops after its current step. */
public class DeploymentCancelledException extends StepFailedException {
    public DeploymentCancelledException() {
        super("cancelled on request: stopped after its current step");
    }
}
