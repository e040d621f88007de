package dev.greenlight.faults;

/**
 * The end state the design promises after a fault (README "Rollback", docs/architecture.md): the deployment's final
 * status, the step that fails and what it says, whether the database is restored, whether an incident report is
 * written, the notification queued, whether the environment is locked, and whether the release stands.
 *
 * @param failingStage the stage name of the step the fault ends
 * @param stepStatus   how that step is closed: {@code failed}, or {@code interrupted} when its orchestrator died
 * @param says         a fragment of that step's detail that names the fault
 * @param notice       the event of the chat notification queued for the deployment's end
 * @param recovered    whether the deployment is ended by the next instance's recovery (its own instance died)
 */
record Expected(String status, String failingStage, String stepStatus, String says, boolean restored,
                boolean incident, String notice, boolean locked, boolean releaseStands, boolean recovered) {

    static Expected after(Change change, String failingStage, String says) {
        return switch (change) {
            case NOTHING -> new Expected("failed", failingStage, "failed", says, false, false, "failed", false, false,
                    false);
            case HOSTS -> new Expected("rolled_back", failingStage, "failed", says, false, true, "rolled-back", false,
                    false, false);
            case TRAFFIC -> new Expected("rolled_back", failingStage, "failed", says, true, true, "rolled-back", false,
                    false, false);
            case RELEASE -> new Expected("succeeded", failingStage, "failed", says, false, false, "succeeded", false,
                    true, false);
        };
    }

    /** The same failure whose rollback could not reach a host: {@code rollback_failed}, the environment locked. */
    Expected rollbackFailed() {
        return new Expected("rollback_failed", failingStage, stepStatus, says, restored, true, "rollback-failed", true,
                false, recovered);
    }

    /** The same end reached by the recovery of the next instance, the step under way closed as interrupted. */
    Expected recoveredAfterCrash() {
        return new Expected(status, failingStage, "interrupted", says, restored, incident, notice, locked,
                releaseStands, true);
    }
}
