package dev.greenlight.reload;

import dev.greenlight.audit.AuditEvent;
import dev.greenlight.audit.AuditLog;
import dev.greenlight.config.ConfigException;
import dev.greenlight.config.ConfigLoader;
import dev.greenlight.config.ConfigWarnings;
import dev.greenlight.config.CurrentConfig;
import dev.greenlight.config.EnvironmentConfig;
import dev.greenlight.config.GreenlightConfig;
import dev.greenlight.config.Secrets;
import dev.greenlight.deploy.DeploymentStore;
import dev.greenlight.deploy.Dispatcher;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads greenlight.yaml while the service runs: loaded and validated by the same {@link ConfigLoader} as at
 * start-up, then put in force in one step, or refused, keeping the configuration that runs. Deployments already
 * running keep the environment they started with; the next one reads the new one. Refused: an invalid file, a change
 * of what only a restart applies ({@link ConfigChanges#needingRestart}), and the removal of an environment whose
 * deployments have not all ended (they would be left with no configuration to run or finish on).
 */
public final class ConfigReload {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigReload.class);
    /** The actor of reloads the file watch starts. */
    static final String WATCH_ACTOR = "greenlight";

    private final Path file;
    private final CurrentConfig current;
    private final Secrets secrets;
    private final DeploymentStore deployments;
    private final Dispatcher dispatcher;
    private final AuditLog audit;
    /** The file as last looked at by a reload, applied or refused: the watch reloads only when it differs. */
    private volatile FileFingerprint seen;

    public ConfigReload(Path file, CurrentConfig current, Secrets secrets, DeploymentStore deployments,
                        Dispatcher dispatcher, AuditLog audit) {
        this.file = file;
        this.current = current;
        this.secrets = secrets;
        this.deployments = deployments;
        this.dispatcher = dispatcher;
        this.audit = audit;
        this.seen = FileFingerprint.of(file).orElse(null);
    }

    /** The file watch (routes/config.camel.yaml): reloads once the file's content differs from what was last seen. */
    public void watch() {
        FileFingerprint before = seen;
        FileFingerprint now = (before == null ? FileFingerprint.of(file) : before.now(file)).orElse(null);
        if (now == null || now == before) return;
        if (before != null && before.sameContent(now)) {
            seen = now; // touched, or rewritten with the same bytes
            return;
        }
        reload(WATCH_ACTOR, null);
    }

    /**
     * Loads, validates and applies the file; one reload at a time.
     *
     * @param actor  who asked: an admin token's rule, or the file watch
     * @param source the client's address, null for the watch
     */
    public synchronized ReloadOutcome reload(String actor, String source) {
        // remembered once this attempt has an outcome: one that broke (the database away) is tried again
        FileFingerprint looked = FileFingerprint.of(file).orElse(seen);
        GreenlightConfig running = current.get();
        GreenlightConfig next;
        try {
            next = ConfigLoader.load(file);
        } catch (ConfigException e) {
            seen = looked;
            return refused(actor, source, List.of(e.getMessage()));
        }
        List<String> problems = new ArrayList<>(ConfigChanges.needingRestart(running, next));
        problems.addAll(busyRemovals(running, next));
        if (!problems.isEmpty()) {
            seen = looked;
            return refused(actor, source, problems);
        }
        ConfigChanges changes = ConfigChanges.between(running, next);
        dispatcher.registerEnvironments(next);
        if (!current.replace(running, next)) throw new IllegalStateException("the configuration was replaced meanwhile");
        seen = looked;
        ConfigWarnings.log(next, secrets);
        LOG.info("configuration reloaded from {} ({}): {}", file, who(actor), changes.summary());
        audit.record(AuditEvent.of(actor, "config.reloaded", "applied").source(source).detail(changes.summary()));
        return ReloadOutcome.applied(changes);
    }

    /** Removed environments that still have deployments which have not ended, each named with their ids. */
    private List<String> busyRemovals(GreenlightConfig running, GreenlightConfig next) {
        List<String> out = new ArrayList<>();
        for (EnvironmentConfig env : ConfigChanges.removedEnvironments(running, next)) {
            List<Long> ids = deployments.notEnded(env.app(), env.name());
            if (ids.isEmpty()) continue;
            out.add(next.source() + ": apps." + env.app() + ".environments." + env.name() + ": cannot be removed while "
                    + (ids.size() == 1 ? "deployment " : "deployments ")
                    + ids.stream().map(String::valueOf).collect(Collectors.joining(", "))
                    + " there " + (ids.size() == 1 ? "has" : "have") + " not ended; let them end or cancel them, then "
                    + "reload again");
        }
        return out;
    }

    private ReloadOutcome refused(String actor, String source, List<String> errors) {
        String reasons = String.join("; ", errors);
        LOG.error("configuration NOT reloaded from {} ({}); the running configuration stays: {}", file, who(actor),
                reasons);
        audit.record(AuditEvent.of(actor, "config.reload_refused", "refused").source(source).detail(reasons));
        return ReloadOutcome.refused(errors);
    }

    private static String who(String actor) {
        return WATCH_ACTOR.equals(actor) ? "the file changed" : "asked by " + actor;
    }
}
