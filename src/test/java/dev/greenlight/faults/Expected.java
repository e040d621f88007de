package dev.greenlight.faults;

/**
 * The end state the design promises after a fault (README "Rollback", docs/architecture.md): the deployment's final
 * status, the step that fails and what it says, whether the database is restored, whether an incident report is
 * written, the notification queued, whether the environment is locked, and whether the release stands.
 *
 * @param failingStage the stage name of the failed step
 * @param says         a fragment of that step's detail that names the fault
 * @param notice       the event of the chat notification queued for the deployment's end
 */
record Expected(String status, String failingStage, String says, boolean restored, boolean incident, String notice,
                boolean locked, boolean releaseStands) {

    static Expected after(Change change, String failingStage, String says) {
        return switch (change) {
            case NOTHING -> new Expected("failed", failingStage, says, false, false, "failed", false, false);
            case HOSTS -> new Expected("rolled_back", failingStage, says, false, true, "rolled-back", false, false);
            case TRAFFIC -> new Expected("rolled_back", failingStage, says, true, true, "rolled-back", false, false);
            case RELEASE -> new Expected("succeeded", failingStage, says, false, false, "succeeded", false, true);
        };
    }

    /** The same failure whose rollback could not reach a host: {@code rollback_failed}, the environment locked. */
    Expected rollbackFailed() {
        return new Expected("rollback_failed", failingStage, says, restored, true, "rollback-failed", true, false);
    }
}
