package dev.greenlight.delivery;

/**
 * How the deployments of a window ended. {@code unfinished} are still queued, running, waiting or rolling back;
 * {@code manualRollbacks} are deployments triggered as a rollback (they are counted under their own outcome too);
 * {@code rolledBackLater} are succeeded deployments that a manual rollback named afterwards.
 */
public record Outcomes(long total, long succeeded, long failed, long rolledBack, long rollbackFailed, long cancelled,
                       long manualRollbacks, long rolledBackLater) {
    /**
     * Deployments whose change was judged: succeeded, failed, rolled back or rollback failed. A cancelled deployment
     * was stopped by someone's decision, not by its change, and is left out.
     */
    public long finished() {
        return succeeded + failed + rolledBack + rollbackFailed;
    }

    public long unfinished() {
        return total - finished() - cancelled;
    }

    /** Rolled back by Greenlight itself when a step failed: rolled back, or the rollback failed. */
    public long automaticRollbacks() {
        return rolledBack + rollbackFailed;
    }

    /** Failed, rolled back, rollback failed, or succeeded and rolled back by hand later. */
    public long changeFailures() {
        return failed + rolledBack + rollbackFailed + rolledBackLater;
    }

    /** {@code part / finished()}, or null when nothing finished. */
    public Double shareOfFinished(long part) {
        return finished() == 0 ? null : (double) part / finished();
    }
}
