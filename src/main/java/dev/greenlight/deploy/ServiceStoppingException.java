package dev.greenlight.deploy;

/**
 * Thrown at a cancel point once the service is stopping (SIGTERM): the step before it has finished and is recorded,
 * no other step starts, and nothing is rolled back here; the run is left to its lease, as after a crash.
 */
public final class ServiceStoppingException extends StepFailedException {
    public ServiceStoppingException() {
        super("the Greenlight service is stopping: the run stops before its next step");
    }
}
