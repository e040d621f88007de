package dev.greenlight.config;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** What deploys an environment automatically: any of its triggers (none: only the API deploys it). */
public record TriggerSpec(List<Trigger> triggers) {
    public static final TriggerSpec MANUAL = new TriggerSpec(List.of());

    public TriggerSpec {
        triggers = List.copyOf(triggers);
    }

    /** One trigger; {@link #claim()} is what no two environments of one repository may both have. */
    public sealed interface Trigger permits Push, Release, WorkflowDispatch, GithubDeployment {
        String claim();
    }

    /** A push to {@code branch}. */
    public record Push(String branch) implements Trigger {
        public String claim() {
            return "push: " + branch;
        }
    }

    /** A release with {@code action} (published, released, prereleased). */
    public record Release(String action) implements Trigger {
        public String claim() {
            return "release: " + action;
        }
    }

    /** A run of the workflow file {@code workflow} ("Run workflow"), its version in the input {@code versionInput}. */
    public record WorkflowDispatch(String workflow, String versionInput) implements Trigger {
        public String claim() {
            return "workflow-dispatch: " + workflow;
        }
    }

    /** A deployment created in GitHub for the GitHub environment {@code environment} (GitHub ignores its case). */
    public record GithubDeployment(String environment) implements Trigger {
        public String claim() {
            return "deployment: " + environment.toLowerCase(Locale.ROOT);
        }
    }

    public boolean onPush(String branch) {
        return triggers.stream().anyMatch(t -> t instanceof Push p && p.branch().equals(branch));
    }

    public boolean onRelease(String action) {
        return triggers.stream().anyMatch(t -> t instanceof Release r && r.action().equals(action));
    }

    public Optional<WorkflowDispatch> onWorkflowDispatch(String workflow) {
        return triggers.stream().filter(t -> t instanceof WorkflowDispatch w && w.workflow().equals(workflow))
                .map(WorkflowDispatch.class::cast).findFirst();
    }

    public boolean onDeployment(String environment) {
        return environment != null && triggers.stream()
                .anyMatch(t -> t instanceof GithubDeployment d && d.environment().equalsIgnoreCase(environment));
    }
}
