package dev.greenlight.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One environment of an app: where it runs, how it is updated and how its health is judged. {@code checks} is null
 * when no host resource check is configured; {@code blueGreen} is set exactly when the strategy is blue-green;
 * {@code environmentUrl} (where users reach it, for GitHub's deployment statuses) is null unless configured.
 */
public record EnvironmentConfig(
        String app,
        String name,
        TriggerSpec trigger,
        Template version,
        Strategy strategy,
        BatchSize batch,
        List<HostAddress> hosts,
        SshSettings ssh,
        Map<String, Template> commands,
        HostAddress buildHost,
        HealthSpec health,
        Template healthUrl,
        Template healthCommand,
        List<SmokeCheck> smoke,
        List<String> notifications,
        Duration commandTimeout,
        HostChecks checks,
        BlueGreenSpec blueGreen,
        String environmentUrl) {

    /** The command hooks a rolling environment may define. */
    public static final List<String> COMMAND_KEYS =
            List.of("build", "pre-deploy", "deploy", "post-deploy", "before-host", "after-host");

    public Optional<Template> command(String key) {
        return Optional.ofNullable(commands.get(key));
    }

    public String key() {
        return app + "/" + name;
    }
}
