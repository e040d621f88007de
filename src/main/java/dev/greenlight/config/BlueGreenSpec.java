package dev.greenlight.config;

import java.time.Duration;
import java.util.List;

/**
 * What a {@code strategy: blue-green} environment adds to the common settings.
 *
 * @param colors               exactly two, in configured order; the first deployment goes to the first
 * @param approvalRequired     a second token must approve before anything runs ({@code approval: required})
 * @param approvalTimeout      an approval not given within this ends the deployment cancelled
 * @param manualPromotion      stop with the idle colour healthy; switch on promote ({@code promotion: manual})
 * @param promotionTimeout     a promotion not given within this stops the idle colour and ends cancelled
 * @param backupHost           where {@code backup} and {@code restore} run: the configured one or the first host
 * @param watch                the post-switch watch
 * @param keepPrevious         how long the old colour keeps running after success (a rollback in that time only
 *                             switches back)
 * @param restoreOnFailedStart restore the database even when the new version never took traffic (apps that migrate
 *                             their schema on boot)
 * @param liveUrl              optional: where users reach a host ({@code http://{{host}}} through its proxy); the
 *                             post-switch health checks and the watch probe it. Without it they probe the live
 *                             colour's own port through {@code health.url}
 */
public record BlueGreenSpec(List<ColorSpec> colors, boolean approvalRequired, Duration approvalTimeout,
                            boolean manualPromotion, Duration promotionTimeout, HostAddress backupHost,
                            WatchSpec watch, Duration keepPrevious, boolean restoreOnFailedStart, Template liveUrl) {
    public static final Duration DEFAULT_APPROVAL_TIMEOUT = Duration.ofHours(24);
    public static final Duration DEFAULT_PROMOTION_TIMEOUT = Duration.ofHours(24);
    public static final Duration DEFAULT_KEEP_PREVIOUS = Duration.ofMinutes(10);

    /** The commands a blue-green environment must define. */
    public static final List<String> REQUIRED_COMMANDS = List.of("deploy", "switch", "stop");
    /** The command hooks a blue-green environment may define. */
    public static final List<String> COMMAND_KEYS = List.of("build", "pre-deploy", "deploy", "switch", "stop", "backup",
            "restore", "post-deploy", "after-rollback");

    public BlueGreenSpec {
        colors = List.copyOf(colors);
        if (colors.size() != 2) throw new IllegalArgumentException("a blue-green environment has exactly two colours");
    }

    public ColorSpec color(String name) {
        return colors.stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no colour " + name));
    }

    /** The colour that is not {@code name}: the idle one when {@code name} is live. Null: the first colour. */
    public ColorSpec other(String name) {
        if (name == null) return colors.get(0);
        return colors.get(0).name().equals(name) ? colors.get(1) : colors.get(0);
    }
}
