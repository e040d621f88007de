package dev.greenlight.deploy;

/** What started a deployment. */
public enum TriggerKind {
    PUSH, RELEASE, WORKFLOW_DISPATCH, DEPLOYMENT, MANUAL, ROLLBACK;

    public String key() {
        return name().toLowerCase();
    }
}
