package dev.greenlight.config;

/** What deploys an environment automatically: a push to {@code pushBranch}, or a release with action {@code release}. */
public record TriggerSpec(String pushBranch, String release) {
    public static final TriggerSpec MANUAL = new TriggerSpec(null, null);

    public boolean onPush(String branch) {
        return pushBranch != null && pushBranch.equals(branch);
    }

    public boolean onRelease(String action) {
        return release != null && release.equals(action);
    }
}
