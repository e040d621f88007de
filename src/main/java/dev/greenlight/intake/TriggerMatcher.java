package dev.greenlight.intake;

import dev.greenlight.config.AppConfig;
import dev.greenlight.config.EnvironmentConfig;
import dev.greenlight.config.GreenlightConfig;
import dev.greenlight.deploy.DeploymentRequest;
import dev.greenlight.deploy.TriggerKind;
import dev.greenlight.deploy.Versions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Decides which environments a GitHub event deploys, and with which version. */
public final class TriggerMatcher {
    private final GreenlightConfig config;

    public TriggerMatcher(GreenlightConfig config) {
        this.config = config;
    }

    public TriggerMatch match(GithubEvent event, String deliveryId) {
        Optional<AppConfig> app = appFor(event.repository());
        return switch (event.type()) {
            case PING -> TriggerMatch.ignored("ping");
            case PUSH -> app.map(a -> push(a, event, deliveryId)).orElseGet(() -> notConfigured(event));
            case RELEASE -> app.map(a -> release(a, event, deliveryId)).orElseGet(() -> notConfigured(event));
            default -> TriggerMatch.ignored("event " + event.eventName() + " does not trigger deployments");
        };
    }

    private Optional<AppConfig> appFor(String repository) {
        if (repository == null) return Optional.empty();
        return config.apps().values().stream().filter(a -> a.repository().equalsIgnoreCase(repository)).findFirst();
    }

    private static TriggerMatch notConfigured(GithubEvent event) {
        return TriggerMatch.ignored("repository " + event.repository() + " is not configured");
    }

    private TriggerMatch push(AppConfig app, GithubEvent event, String deliveryId) {
        if (event.deleted()) return TriggerMatch.ignored("branch or tag deleted");
        if (event.branch() == null) return TriggerMatch.ignored("push of " + (event.tag() != null
                ? "tag " + event.tag() + " (tags deploy through releases)" : "a ref that is not a branch"));
        List<EnvironmentConfig> targets = app.environments().values().stream()
                .filter(e -> e.trigger().onPush(event.branch())).toList();
        if (targets.isEmpty()) return TriggerMatch.ignored("no environment of " + app.name() + " deploys branch " + event.branch());
        if (!Versions.isValidSha(event.sha())) {
            return TriggerMatch.refused("push names no commit: \"after\" (or \"head_commit.id\") must be 40 (SHA-1) "
                    + "or 64 (SHA-256) hex digits");
        }
        Map<String, String> values = Map.of("sha", event.sha(), "sha7", event.sha().substring(0, 7));
        List<DeploymentRequest> out = new ArrayList<>();
        for (EnvironmentConfig env : targets) {
            String version = env.version().renderPlain(values);
            if (!Versions.isValidTag(version)) return TriggerMatch.refused(Versions.invalidTagMessage(version));
            out.add(request(env, version, event.sha(), TriggerKind.PUSH, event,
                    "push to " + event.branch(), deliveryId));
        }
        return TriggerMatch.deploy(out);
    }

    private TriggerMatch release(AppConfig app, GithubEvent event, String deliveryId) {
        List<EnvironmentConfig> targets = app.environments().values().stream()
                .filter(e -> e.trigger().onRelease(event.action())).toList();
        if (targets.isEmpty()) return TriggerMatch.ignored("no environment of " + app.name() + " deploys on release " + event.action());
        if (event.draft()) return TriggerMatch.ignored("draft release");
        if (event.prerelease() && "published".equals(event.action())) {
            // GitHub also sends "prereleased" for these: only a trigger on that action deploys pre-releases
            return TriggerMatch.ignored("pre-release " + event.tag() + " (trigger release: prereleased deploys pre-releases)");
        }
        if (!Versions.isValidTag(event.tag())) return TriggerMatch.refused("release tag: " + Versions.invalidTagMessage(event.tag()));
        String sha = Versions.isValidSha(event.sha()) ? event.sha() : null;
        return TriggerMatch.deploy(targets.stream().map(env -> request(env, event.tag(), sha, TriggerKind.RELEASE, event,
                "release " + event.tag() + " " + event.action(), deliveryId)).toList());
    }

    private static DeploymentRequest request(EnvironmentConfig env, String version, String sha, TriggerKind kind,
                                             GithubEvent event, String reason, String deliveryId) {
        String actor = "github:" + (event.sender() == null ? "unknown" : event.sender());
        return new DeploymentRequest(env.app(), env.name(), version, sha, env.strategy().key(), kind, actor, reason,
                null, deliveryId, false, kind == TriggerKind.PUSH ? event.commitTime() : null);
    }
}
