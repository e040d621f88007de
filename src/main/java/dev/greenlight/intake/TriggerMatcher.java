package dev.greenlight.intake;

import dev.greenlight.config.AppConfig;
import dev.greenlight.config.EnvironmentConfig;
import dev.greenlight.config.CurrentConfig;
import dev.greenlight.config.TriggerSpec;
import dev.greenlight.deploy.DeploymentRequest;
import dev.greenlight.deploy.TriggerKind;
import dev.greenlight.deploy.Versions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Decides which environments a GitHub event deploys, and with which version. */
public final class TriggerMatcher {
    /** What {@code {{ref}}} may hold: a branch or tag name as git allows it, nothing a shell would read. */
    private static final Pattern REF = Pattern.compile("[A-Za-z0-9._/-]{1,255}");
    private static final String HEADS = "refs/heads/";
    private static final String TAGS = "refs/tags/";

    private final CurrentConfig config;
    private final DeploymentMarker marker;

    public TriggerMatcher(CurrentConfig config, DeploymentMarker marker) {
        this.config = config;
        this.marker = marker;
    }

    public TriggerMatch match(GithubEvent event, String deliveryId) {
        Optional<AppConfig> app = appFor(event.repository());
        return switch (event.type()) {
            case PING -> TriggerMatch.ignored("ping");
            case PUSH -> app.map(a -> push(a, event, deliveryId)).orElseGet(() -> notConfigured(event));
            case RELEASE -> app.map(a -> release(a, event, deliveryId)).orElseGet(() -> notConfigured(event));
            case WORKFLOW_DISPATCH -> app.map(a -> workflowDispatch(a, event, deliveryId))
                    .orElseGet(() -> notConfigured(event));
            case DEPLOYMENT -> app.map(a -> deployment(a, event, deliveryId)).orElseGet(() -> notConfigured(event));
            default -> TriggerMatch.ignored("event " + event.eventName() + " does not trigger deployments");
        };
    }

    private Optional<AppConfig> appFor(String repository) {
        if (repository == null) return Optional.empty();
        return config.get().apps().values().stream().filter(a -> a.repository().equalsIgnoreCase(repository)).findFirst();
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
        List<DeploymentRequest> out = new ArrayList<>();
        for (EnvironmentConfig env : targets) {
            String version = env.version().renderPlain(versionValues(event.sha(), event.branch()));
            if (!Versions.isValidTag(version)) return TriggerMatch.refused(Versions.invalidTagMessage(version));
            out.add(request(env, version, event.sha(), TriggerKind.PUSH, event,
                    "push to " + event.branch(), deliveryId));
        }
        return TriggerMatch.deploy(out);
    }

    /** The values of an environment's {@code version} template, each given only when valid (else not renderable). */
    private static Map<String, String> versionValues(String sha, String ref) {
        Map<String, String> values = new HashMap<>();
        if (Versions.isValidSha(sha)) {
            values.put("sha", sha);
            values.put("sha7", sha.substring(0, 7));
        }
        if (ref != null && REF.matcher(ref).matches()) values.put("ref", ref);
        return values;
    }

    private TriggerMatch workflowDispatch(AppConfig app, GithubEvent event, String deliveryId) {
        GithubEvent.Dispatch run = event.dispatch();
        if (run.workflow() == null) return TriggerMatch.ignored("workflow_dispatch names no workflow file");
        List<DeploymentRequest> out = new ArrayList<>();
        for (EnvironmentConfig env : app.environments().values()) {
            Optional<TriggerSpec.WorkflowDispatch> trigger = env.trigger().onWorkflowDispatch(run.workflow());
            if (trigger.isEmpty()) continue;
            String input = trigger.get().versionInput();
            String version = run.inputs().get(input);
            if (version == null) {
                return TriggerMatch.ignored("workflow " + run.workflow() + " was run without the input \"" + input
                        + "\" that holds the version of " + env.key());
            }
            if (!Versions.isValidTag(version)) {
                return TriggerMatch.refused("workflow input " + input + ": " + Versions.invalidTagMessage(version));
            }
            out.add(request(env, version, null, TriggerKind.WORKFLOW_DISPATCH, event,
                    "workflow " + run.workflow() + " run" + (run.ref() == null ? "" : " on " + run.ref()), deliveryId,
                    run.ref(), null));
        }
        if (out.isEmpty()) return TriggerMatch.ignored("no environment of " + app.name() + " deploys on workflow " + run.workflow());
        return TriggerMatch.deploy(out);
    }

    private TriggerMatch deployment(AppConfig app, GithubEvent event, String deliveryId) {
        GithubEvent.Deployment gd = event.deployment();
        Optional<Long> own = marker.own(gd.marker());
        // the mirror's own deployment: deploying it would mirror it again, and again
        if (own.isPresent()) return TriggerMatch.ignored("GitHub deployment created by Greenlight itself (its deployment " + own.get() + ")");
        if (!"created".equals(event.action())) return TriggerMatch.ignored("deployment action " + event.action() + " (only created deploys)");
        List<EnvironmentConfig> targets = app.environments().values().stream()
                .filter(e -> e.trigger().onDeployment(gd.environment())).toList();
        if (targets.isEmpty()) {
            return TriggerMatch.ignored("no environment of " + app.name() + " deploys GitHub environment " + gd.environment());
        }
        if (gd.id() == null) return TriggerMatch.refused("deployment names no id: its statuses could not be reported");
        String ref = shortRef(gd.ref());
        List<DeploymentRequest> out = new ArrayList<>();
        for (EnvironmentConfig env : targets) {
            String version = gd.version();
            if (version == null) {
                Optional<String> missing = missingValue(env, versionValues(gd.sha(), ref), gd);
                if (missing.isPresent()) return TriggerMatch.refused(missing.get());
                version = env.version().renderPlain(versionValues(gd.sha(), ref));
            }
            if (!Versions.isValidTag(version)) return TriggerMatch.refused(Versions.invalidTagMessage(version));
            out.add(request(env, version, gd.sha(), TriggerKind.DEPLOYMENT, event,
                    "GitHub deployment " + gd.id() + " of " + gd.ref() + " to " + gd.environment(), deliveryId,
                    gd.ref(), gd.id()));
        }
        return TriggerMatch.deploy(out);
    }

    /** Why the deployment's version template cannot be rendered (a value it needs is absent or unsafe), if so. */
    private static Optional<String> missingValue(EnvironmentConfig env, Map<String, String> values,
                                                 GithubEvent.Deployment gd) {
        for (String name : env.version().names()) {
            if (values.containsKey(name)) continue;
            return Optional.of("the version of " + env.key() + " (" + env.version().text() + ") needs {{" + name
                    + "}}: " + (name.equals("ref") ? "ref " + Versions.shown(gd.ref()) + " is not a branch or tag name"
                    : Versions.invalidShaMessage(gd.sha())) + " (or give payload.version)");
        }
        return Optional.empty();
    }

    /** A deployment's ref as a name: {@code refs/heads/main} is {@code main}, {@code refs/tags/v1} is {@code v1}. */
    private static String shortRef(String ref) {
        if (ref == null) return null;
        if (ref.startsWith(HEADS)) return ref.substring(HEADS.length());
        return ref.startsWith(TAGS) ? ref.substring(TAGS.length()) : ref;
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
        return request(env, version, sha, kind, event, reason, deliveryId, null, null);
    }

    private static DeploymentRequest request(EnvironmentConfig env, String version, String sha, TriggerKind kind,
                                             GithubEvent event, String reason, String deliveryId, String ref,
                                             Long githubDeploymentId) {
        String actor = "github:" + (event.sender() == null ? "unknown" : event.sender());
        return new DeploymentRequest(env.app(), env.name(), version, sha, env.strategy().key(), kind, actor, reason,
                null, deliveryId, false, kind == TriggerKind.PUSH ? event.commitTime() : null,
                ref == null ? null : ref.length() > 255 ? ref.substring(0, 255) : ref, githubDeploymentId);
    }
}
