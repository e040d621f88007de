package dev.greenlight.notify;

import dev.greenlight.deploy.Deployment;

/** Something the outside world should hear about a deployment: it started, or it ended (with its status). */
public record DeploymentEvent(String kind, Deployment deployment, String repository) {
    public static final String STARTED = "started";
    public static final String FINISHED = "finished";
}
