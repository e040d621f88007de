package dev.greenlight.intake;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;

/**
 * The facts of a GitHub webhook delivery that deployment triggers need, normalised from the
 * payload by {@link GithubEventParser}.
 *
 * <p>Every reference-typed component except {@code type} may be null: a component is null when it
 * does not apply to the event type or when the payload did not carry a usable value.
 *
 * @param type       the kind of event, derived from the {@code X-GitHub-Event} header
 * @param eventName  the {@code X-GitHub-Event} header value exactly as received
 * @param repository repository full name, {@code owner/name}
 * @param sender     login of the user who triggered the event ({@code sender.login})
 * @param action     the payload's {@code action} (e.g. {@code published} for a release);
 *                   null for pushes and pings, which have none
 * @param branch     push only: branch name when the pushed ref is {@code refs/heads/<branch>}
 * @param tag        push: tag name when the pushed ref is {@code refs/tags/<tag>};
 *                   release: the release's {@code tag_name}
 * @param sha        push only: the commit the ref now points to ({@code after}, else
 *                   {@code head_commit.id}), lowercase hex; null for deletions and when no
 *                   well-formed commit id is present. Always null for releases, whose
 *                   payload names no commit reliably ({@code target_commitish} is the target GitHub used
 *                   only if it had to create the tag, so it does not identify the tagged commit)
 * @param deleted    push only: the push deleted the ref
 * @param prerelease release only: the release is marked as a pre-release
 * @param draft      release only: the release is a draft
 * @param commitTime push only: when the pushed commit was made ({@code head_commit.timestamp}), if the payload's
 *                   {@code head_commit} is that commit and its timestamp is a valid ISO-8601 time; else null
 * @param dispatch   workflow_dispatch only: the workflow run asked for
 * @param deployment deployment only: the GitHub deployment created
 */
public record GithubEvent(
        Type type,
        String eventName,
        String repository,
        String sender,
        String action,
        String branch,
        String tag,
        String sha,
        boolean deleted,
        boolean prerelease,
        boolean draft,
        Instant commitTime,
        Dispatch dispatch,
        Deployment deployment) {

    /**
     * A "Run workflow" of {@code workflow} (its file path, {@code .github/workflows/deploy.yml}) on {@code ref}, with
     * the inputs typed (values as text; null when the payload has none).
     */
    public record Dispatch(String workflow, String ref, Map<String, String> inputs) {
    }

    /**
     * A GitHub deployment: its {@code id} (null when the payload has no number), commit ({@code sha}, null unless a
     * well-formed commit id), {@code ref} and GitHub {@code environment}; {@code version} is its payload's
     * {@code version} when that is text, and {@code marker} its payload's {@code greenlight} object (or a missing
     * node), by which Greenlight recognises the deployments it created itself.
     */
    public record Deployment(Long id, String sha, String ref, String environment, String version, JsonNode marker) {
    }

    /** The event kinds Greenlight distinguishes; everything else is {@link #OTHER}. */
    public enum Type {
        PING, PUSH, RELEASE, WORKFLOW_DISPATCH, DEPLOYMENT, OTHER;

        /**
         * Maps an {@code X-GitHub-Event} value to a type, ignoring case and surrounding
         * whitespace. Null, empty and unknown names give {@link #OTHER}.
         */
        public static Type fromEventName(String eventName) {
            if (eventName == null) {
                return OTHER;
            }
            return switch (eventName.strip().toLowerCase(Locale.ROOT)) {
                case "ping" -> PING;
                case "push" -> PUSH;
                case "release" -> RELEASE;
                case "workflow_dispatch" -> WORKFLOW_DISPATCH;
                case "deployment" -> DEPLOYMENT;
                default -> OTHER;
            };
        }
    }

    public GithubEvent {
        Objects.requireNonNull(type, "type");
    }

    /** An event without a commit time. */
    public GithubEvent(Type type, String eventName, String repository, String sender, String action, String branch,
                       String tag, String sha, boolean deleted, boolean prerelease, boolean draft) {
        this(type, eventName, repository, sender, action, branch, tag, sha, deleted, prerelease, draft, null);
    }

    /** An event that is neither a workflow run nor a GitHub deployment. */
    public GithubEvent(Type type, String eventName, String repository, String sender, String action, String branch,
                       String tag, String sha, boolean deleted, boolean prerelease, boolean draft, Instant commitTime) {
        this(type, eventName, repository, sender, action, branch, tag, sha, deleted, prerelease, draft, commitTime,
                null, null);
    }
}
