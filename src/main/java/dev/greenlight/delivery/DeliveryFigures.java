package dev.greenlight.delivery;

import java.util.List;

/**
 * The delivery figures of one window: outcomes, time to deploy (trigger to success), time to recovery (rollback
 * begun to rollback verified), lead time (commit to success, where the commit time is known), and the deployments
 * per UTC day and ISO week that had any.
 */
public record DeliveryFigures(Outcomes outcomes, DurationSummary timeToDeploy, DurationSummary timeToRecovery,
                              DurationSummary leadTime, List<Bucket> days, List<Bucket> weeks) {
}
