package dev.greenlight.deploy;

import dev.greenlight.config.BlueGreenSpec;
import dev.greenlight.config.ColorSpec;
import dev.greenlight.config.HostAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The blue-green part of a run: the colour being deployed and the one that was live, which of the two the next
 * commands and health checks act on, whether health goes through the live path, the {@code {{backup}}} name of the
 * next dump or restore, and the hosts already switched (what a failed switch must put back). Shared by the parallel
 * branches of a batch; each field is set by one step before the branches read it.
 */
public final class BlueGreenRun {
    private final BlueGreenSpec spec;
    private volatile ColorSpec color;
    private volatile ColorSpec previousColor;
    private volatile boolean actingOnPrevious;
    private volatile boolean throughLive;
    private volatile String backup = "";
    private volatile boolean previousStopped;
    private volatile boolean alreadyRunning;
    private final List<HostAddress> switched = Collections.synchronizedList(new ArrayList<>());

    BlueGreenRun(BlueGreenSpec spec) {
        this.spec = spec;
    }

    public BlueGreenSpec spec() {
        return spec;
    }

    /** The colours of this deployment: {@code color} gets the new version; {@code previous} (null: none) is live. */
    public void choose(ColorSpec color, ColorSpec previous) {
        this.color = color;
        this.previousColor = previous;
    }

    public ColorSpec color() {
        return color;
    }

    public ColorSpec previousColor() {
        return previousColor;
    }

    /** The next commands and checks act on the new colour (with the new version). */
    public void actOnNew() {
        actingOnPrevious = false;
    }

    /** The next commands and checks act on the previous colour (with the previous version). */
    public void actOnPrevious() {
        actingOnPrevious = true;
    }

    public boolean actingOnPrevious() {
        return actingOnPrevious;
    }

    /** Health checks go through the live path ({@code health.live-url} when set) from now on, or not. */
    public void throughLive(boolean live) {
        throughLive = live;
    }

    public boolean throughLive() {
        return throughLive;
    }

    /** The value of {@code {{backup}}} for the next dump or restore. */
    public void backup(String name) {
        backup = name;
    }

    public void switched(HostAddress host) {
        switched.add(host);
    }

    /** The hosts whose switch began, in order: a rollback switches them back. */
    public List<HostAddress> switchedHosts() {
        synchronized (switched) {
            return List.copyOf(switched);
        }
    }

    /** The previous colour was stopped by this run (keep-previous 0s): a rollback must deploy it again first. */
    public void previousStopped() {
        previousStopped = true;
    }

    public boolean previousRunning() {
        return previousColor != null && !previousStopped;
    }

    /** The new colour still runs this deployment's version (its stop was pending): it is not deployed again. */
    public void alreadyRunning(boolean running) {
        alreadyRunning = running;
    }

    public boolean alreadyRunning() {
        return alreadyRunning;
    }

    /** The colour acted on now: the new one, or the previous one. */
    public ColorSpec acting() {
        return actingOnPrevious ? previousColor : color;
    }

    void addValues(Map<String, String> values) {
        ColorSpec acting = acting();
        ColorSpec other = actingOnPrevious ? color : previousColor;
        values.put("color", acting == null ? "" : acting.name());
        values.put("port", acting == null ? "" : String.valueOf(acting.port()));
        values.put("previous_color", other == null ? "" : other.name());
        values.put("backup", requireBackupName(backup));
    }

    /** A backup name reaches a shell and a file name: letters, digits, dot, dash and underscore only. */
    public static String requireBackupName(String name) {
        if (!name.isEmpty() && !name.matches("[A-Za-z0-9._-]{1,200}") || name.startsWith(".")) {
            throw new StepFailedException("backup name \"" + name + "\" is not valid: only letters, digits, '.', '-' "
                    + "and '_', not starting with '.'");
        }
        return name;
    }
}
