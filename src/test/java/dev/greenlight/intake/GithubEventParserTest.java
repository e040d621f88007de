package dev.greenlight.intake;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.greenlight.intake.GithubEvent.Type;

/**
 * Fixtures are GitHub's published example payloads (see src/test/resources/github/README.md).
 * Cases without a published example are derived from one with a minimal, commented change.
 */
class GithubEventParserTest {

    private static final String REPO = "Codertocat/Hello-World";
    private static final String SENDER = "Codertocat";
    private static final String SHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
    private static final String OTHER_SHA = "d70c5c6fa6388b02fb2a0f1e9d5cbbfc2b3e6a41";
    private static final String ZERO_SHA = "0000000000000000000000000000000000000000";

    private static final String BRANCH_CREATED = "push.branch-created.json";
    private static final String TAG_DELETED = "push.tag-deleted.json";
    private static final String RELEASE_PUBLISHED = "release.published.json";
    private static final String RELEASE_PRERELEASED = "release.prereleased.json";
    private static final String PING = "ping.json";
    private static final String CREATE_TAG = "create.tag.json";

    private final GithubEventParser parser = new GithubEventParser();

    private GithubEvent parse(String eventName, String fixture) {
        return parser.parse(eventName, GithubFixtures.bytes(fixture));
    }

    private GithubEvent parse(String eventName, ObjectNode tree) {
        return parser.parse(eventName, GithubFixtures.bytes(tree));
    }

    /** The pushed commit's head_commit.timestamp in push.branch-created.json. */
    private static final java.time.Instant COMMITTED = java.time.Instant.parse("2019-05-15T15:19:25Z");

    /** Expected facts of push.branch-created.json. */
    private static GithubEvent branchCreatedEvent(String eventName) {
        return new GithubEvent(Type.PUSH, eventName, REPO, SENDER, null,
                "master", null, SHA, false, false, false, COMMITTED);
    }

    /** Expected facts of release.published.json. */
    private static GithubEvent releasePublishedEvent() {
        return new GithubEvent(Type.RELEASE, "release", REPO, SENDER, "published",
                null, "0.0.1", null, false, false, false);
    }

    @Nested
    class PublishedExamples {

        @Test
        void pushCreatingABranch() {
            GithubEvent event = parse("push", BRANCH_CREATED);

            assertThat(event).isEqualTo(branchCreatedEvent("push"));
        }

        @Test
        void pushDeletingATag() {
            GithubEvent event = parse("push", TAG_DELETED);

            assertThat(event).isEqualTo(new GithubEvent(Type.PUSH, "push", REPO, SENDER, null,
                    null, "simple-tag", null, true, false, false));
        }

        @Test
        void releasePublished() {
            GithubEvent event = parse("release", RELEASE_PUBLISHED);

            assertThat(event).isEqualTo(releasePublishedEvent());
        }

        @Test
        void releasePrereleased() {
            GithubEvent event = parse("release", RELEASE_PRERELEASED);

            assertThat(event).isEqualTo(new GithubEvent(Type.RELEASE, "release", REPO, SENDER, "prereleased",
                    null, "0.0.1", null, false, true, false));
        }

        @Test
        void ping() {
            GithubEvent event = parse("ping", PING);

            assertThat(event).isEqualTo(new GithubEvent(Type.PING, "ping", "Octocoders/Hello-World", SENDER, null,
                    null, null, null, false, false, false));
        }

        @Test
        void createEventIsOther() {
            // A "create" event also names a ref ("simple-tag"); it must not be read as a push.
            GithubEvent event = parse("create", CREATE_TAG);

            assertThat(event).isEqualTo(new GithubEvent(Type.OTHER, "create", REPO, SENDER, null,
                    null, null, null, false, false, false));
        }
    }

    @Nested
    class Pushes {

        @Test
        void pushCreatingABranchIsANormalBranchPush() {
            GithubEvent event = parse("push", BRANCH_CREATED);
            assertThat(event.type()).isEqualTo(Type.PUSH);
            assertThat(event.deleted()).isFalse();
            assertThat(event.branch()).isEqualTo("master");
            assertThat(event.sha()).isEqualTo(SHA);
        }

        @Test
        void pushToAnExistingBranch() {
            // Derived: the branch already existed (non-zero "before", created=false).
            ObjectNode tree = GithubFixtures.tree(BRANCH_CREATED);
            tree.put("before", OTHER_SHA).put("created", false);

            GithubEvent event = parse("push", tree);

            assertThat(event.deleted()).isFalse();
            assertThat(event.type()).isEqualTo(Type.PUSH);
            assertThat(event.branch()).isEqualTo("master");
            assertThat(event.sha()).isEqualTo(SHA);
        }

        @Test
        void nullHeadCommitTakesShaFromAfter() {
            ObjectNode tree = GithubFixtures.tree(BRANCH_CREATED);
            assertThat(tree.path("head_commit").isObject()).isTrue();
            // Derived: GitHub sends head_commit null e.g. when a branch is pushed without new commits.
            tree.set("head_commit", NullNode.getInstance());

            GithubEvent event = parse("push", tree);

            assertThat(event).isEqualTo(new GithubEvent(Type.PUSH, "push", REPO, SENDER, null,
                    "master", null, SHA, false, false, false));
        }

        @Test
        void theCommitTimeIsHeadCommitsTimestampOnlyWhenHeadCommitIsThePushedCommit() {
            assertThat(parse("push", BRANCH_CREATED).commitTime()).isEqualTo(COMMITTED);

            ObjectNode offset = GithubFixtures.tree(BRANCH_CREATED);
            // derived: GitHub writes the committer's offset, e.g. -04:00
            ((ObjectNode) offset.get("head_commit")).put("timestamp", "2019-05-15T11:19:25-04:00");
            assertThat(parse("push", offset).commitTime()).isEqualTo(COMMITTED);

            ObjectNode other = GithubFixtures.tree(BRANCH_CREATED);
            ((ObjectNode) other.get("head_commit")).put("id", OTHER_SHA); // derived: not the commit "after" names
            assertThat(parse("push", other).commitTime()).isNull();

            ObjectNode malformed = GithubFixtures.tree(BRANCH_CREATED);
            ((ObjectNode) malformed.get("head_commit")).put("timestamp", "yesterday");
            GithubEvent event = parse("push", malformed);
            assertThat(event.commitTime()).as("a bad timestamp is no time, and no refusal").isNull();
            assertThat(event.sha()).isEqualTo(SHA);
        }

        @Test
        void missingHeadCommitTakesShaFromAfter() {
            ObjectNode tree = GithubFixtures.tree(BRANCH_CREATED);
            tree.remove("head_commit"); // derived: field absent altogether

            assertThat(parse("push", tree).sha()).isEqualTo(SHA);
        }

        @Test
        void missingAfterFallsBackToHeadCommitId() {
            ObjectNode tree = GithubFixtures.tree(BRANCH_CREATED);
            // Derived: no "after"; head_commit.id changed so the value's origin is unambiguous.
            tree.remove("after");
            ((ObjectNode) tree.get("head_commit")).put("id", OTHER_SHA);

            GithubEvent event = parse("push", tree);

            assertThat(event.sha()).isEqualTo(OTHER_SHA);
            assertThat(event.type()).isEqualTo(Type.PUSH);
            assertThat(event.branch()).isEqualTo("master");
            assertThat(event.deleted()).isFalse();
        }

        @ParameterizedTest
        @ValueSource(strings = {"not-a-sha", "6113728", "6113728f27ae82c7b1a177c8d03f9e96e0adf24z"})
        void malformedAfterFallsBackToHeadCommitId(String after) {
            ObjectNode tree = GithubFixtures.tree(BRANCH_CREATED);
            tree.put("after", after); // derived: unusable "after"
            ((ObjectNode) tree.get("head_commit")).put("id", OTHER_SHA);

            assertThat(parse("push", tree).sha()).isEqualTo(OTHER_SHA);
        }

        @Test
        void noUsableCommitIdGivesNullSha() {
            ObjectNode tree = GithubFixtures.tree(BRANCH_CREATED);
            tree.put("after", "garbage"); // derived: neither source usable
            tree.set("head_commit", NullNode.getInstance());

            GithubEvent event = parse("push", tree);

            assertThat(event.sha()).isNull();
            assertThat(event.branch()).isEqualTo("master");
        }

        @Test
        void shaIsLowercased() {
            ObjectNode tree = GithubFixtures.tree(BRANCH_CREATED);
            tree.put("after", SHA.toUpperCase()); // derived

            assertThat(parse("push", tree).sha()).isEqualTo(SHA);
        }

        @Test
        void sha256CommitIdsAreAccepted() {
            String sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
            ObjectNode tree = GithubFixtures.tree(BRANCH_CREATED);
            tree.put("after", sha256); // derived: repository using SHA-256 object ids

            assertThat(parse("push", tree).sha()).isEqualTo(sha256);
        }

        @Test
        void branchDeletion() {
            ObjectNode tree = GithubFixtures.tree(TAG_DELETED);
            assertThat(tree.path("after").asText()).isEqualTo(ZERO_SHA);
            // Derived: the published deletion example deletes a tag; point it at a branch instead.
            tree.put("ref", "refs/heads/feature/login");

            GithubEvent event = parse("push", tree);

            assertThat(event.deleted()).isTrue();
            assertThat(event.branch()).isEqualTo("feature/login");
            assertThat(event.tag()).isNull();
            assertThat(event.sha()).isNull();
            assertThat(event.type()).isEqualTo(Type.PUSH);
            assertThat(event.repository()).isEqualTo(REPO);
        }

        @Test
        void zeroAfterMeansDeletedEvenWithoutTheFlag() {
            ObjectNode tree = GithubFixtures.tree(TAG_DELETED);
            tree.put("ref", "refs/heads/old");
            tree.remove("deleted"); // derived: flag absent, only after=000...0 tells

            GithubEvent event = parse("push", tree);

            assertThat(event.deleted()).isTrue();
            assertThat(event.type()).isEqualTo(Type.PUSH);
            assertThat(event.branch()).isEqualTo("old");
            assertThat(event.sha()).isNull();
        }

        @Test
        void deletionNeverCarriesASha() {
            ObjectNode tree = GithubFixtures.tree(TAG_DELETED);
            tree.put("ref", "refs/heads/old");
            // Derived: even if a head_commit were present, a deleted ref has no commit to deploy.
            tree.set("head_commit", GithubFixtures.tree(BRANCH_CREATED).get("head_commit"));

            assertThat(parse("push", tree).sha()).isNull();
        }

        @Test
        void tagPush() {
            ObjectNode tree = GithubFixtures.tree(BRANCH_CREATED);
            // Derived: same push, but of a tag (no published example of a tag creation push).
            tree.put("ref", "refs/tags/v1.2.0");

            GithubEvent event = parse("push", tree);

            assertThat(event.type()).isEqualTo(Type.PUSH);
            assertThat(event.deleted()).isFalse();
            assertThat(event.tag()).isEqualTo("v1.2.0");
            assertThat(event.branch()).isNull();
            assertThat(event.sha()).isEqualTo(SHA);
        }

        @Test
        void branchNamesMayContainSlashes() {
            ObjectNode tree = GithubFixtures.tree(BRANCH_CREATED);
            tree.put("ref", "refs/heads/release/2024.05"); // derived

            GithubEvent event = parse("push", tree);

            assertThat(event.branch()).isEqualTo("release/2024.05");
        }

        @ParameterizedTest
        @ValueSource(strings = {"refs/notes/commits", "refs/heads/", "refs/tags/", "master", "refs/headsmaster"})
        void refsOutsideHeadsAndTagsNameNoBranchOrTag(String ref) {
            ObjectNode tree = GithubFixtures.tree(BRANCH_CREATED);
            tree.put("ref", ref); // derived

            GithubEvent event = parse("push", tree);

            assertThat(event.branch()).isNull();
            assertThat(event.tag()).isNull();
            assertThat(event.sha()).isEqualTo(SHA);
        }
    }

    @Nested
    class Releases {

        @ParameterizedTest
        @ValueSource(strings = {"created", "edited", "deleted", "unpublished", "released", "prereleased"})
        void otherActionsAreNotPublications(String action) {
            ObjectNode tree = GithubFixtures.tree(RELEASE_PUBLISHED);
            tree.put("action", action); // derived: same release, another action

            GithubEvent event = parse("release", tree);

            assertThat(event.type()).isEqualTo(Type.RELEASE);
            assertThat(event.action()).isEqualTo(action);
            assertThat(event.tag()).isEqualTo("0.0.1");
        }

        @Test
        void draftFlag() {
            ObjectNode tree = GithubFixtures.tree(RELEASE_PUBLISHED);
            ((ObjectNode) tree.get("release")).put("draft", true); // derived

            assertThat(parse("release", tree).draft()).isTrue();
        }

        @Test
        void aCommitIdTargetIsNotTakenForTheReleasesCommit() {
            ObjectNode tree = GithubFixtures.tree(RELEASE_PUBLISHED);
            // Derived: release created from a specific commit. The tag need not point there,
            // so the parser must not present it as the release's commit.
            ((ObjectNode) tree.get("release")).put("target_commitish", SHA);

            GithubEvent event = parse("release", tree);

            assertThat(event.sha()).isNull();
        }

        @Test
        void missingReleaseObject() {
            ObjectNode tree = GithubFixtures.tree(RELEASE_PUBLISHED);
            tree.remove("release"); // derived: unusual payload

            GithubEvent event = parse("release", tree);

            assertThat(event.type()).isEqualTo(Type.RELEASE);
            assertThat(event.action()).isEqualTo("published");
            assertThat(event.repository()).isEqualTo(REPO);
            assertThat(event.tag()).isNull();
        }
    }

    @Nested
    class Pings {

        @Test
        void pingWithoutRepository() {
            ObjectNode tree = GithubFixtures.tree(PING);
            tree.remove("repository"); // derived: organisation-level hooks carry no repository

            GithubEvent event = parse("ping", tree);

            assertThat(event.type()).isEqualTo(Type.PING);
            assertThat(event.repository()).isNull();
            assertThat(event.sender()).isEqualTo(SENDER);
        }
    }

    @Nested
    class RepositoryTimestamps {

        @Test
        void pushWithStringTimestamps() {
            ObjectNode tree = GithubFixtures.tree(BRANCH_CREATED);
            ObjectNode repository = (ObjectNode) tree.get("repository");
            // The published push example has epoch-second integers here ...
            assertThat(repository.get("created_at").isIntegralNumber()).isTrue();
            assertThat(repository.get("pushed_at").isIntegralNumber()).isTrue();
            assertThat(parse("push", BRANCH_CREATED)).isEqualTo(branchCreatedEvent("push"));

            // ... derived: the ISO strings other events use must do just as well.
            repository.put("created_at", "2019-05-15T15:19:25Z").put("pushed_at", "2019-05-15T15:20:57Z");
            assertThat(parse("push", tree)).isEqualTo(branchCreatedEvent("push"));
        }

        @Test
        void releaseWithIntegerTimestamps() {
            ObjectNode tree = GithubFixtures.tree(RELEASE_PUBLISHED);
            ObjectNode repository = (ObjectNode) tree.get("repository");
            // The published release example has ISO strings here ...
            assertThat(repository.get("created_at").isTextual()).isTrue();
            assertThat(repository.get("pushed_at").isTextual()).isTrue();
            assertThat(parse("release", RELEASE_PUBLISHED)).isEqualTo(releasePublishedEvent());

            // ... derived: epoch-second integers, as in push payloads.
            repository.put("created_at", 1557933565L).put("pushed_at", 1557933657L);
            assertThat(parse("release", tree)).isEqualTo(releasePublishedEvent());
        }
    }

    @Nested
    class Leniency {

        @Test
        void missingRepository() {
            ObjectNode tree = GithubFixtures.tree(BRANCH_CREATED);
            tree.remove("repository"); // derived

            GithubEvent event = parse("push", tree);

            assertThat(event.repository()).isNull();
            assertThat(event.branch()).isEqualTo("master");
            assertThat(event.sha()).isEqualTo(SHA);
        }

        @Test
        void repositoryNameFromOwnerAndNameWhenFullNameMissing() {
            ObjectNode tree = GithubFixtures.tree(RELEASE_PUBLISHED);
            ((ObjectNode) tree.get("repository")).remove("full_name"); // derived

            assertThat(parse("release", tree).repository()).isEqualTo(REPO);
        }

        @Test
        void fieldsOfUnexpectedTypeAreIgnored() {
            ObjectNode tree = GithubFixtures.tree(BRANCH_CREATED);
            // Derived: wrong JSON types everywhere the parser looks.
            tree.put("ref", 42);
            tree.put("after", 7);
            tree.set("repository", tree.arrayNode().add("Codertocat/Hello-World"));
            tree.put("sender", "Codertocat");

            GithubEvent event = parse("push", tree);

            assertThat(event.type()).isEqualTo(Type.PUSH);
            assertThat(event.branch()).isNull();
            assertThat(event.sha()).isEqualTo(SHA); // from head_commit.id
            assertThat(event.repository()).isNull();
            assertThat(event.sender()).isNull();
        }

        @Test
        void booleanFlagsSentAsStrings() {
            ObjectNode tree = GithubFixtures.tree(TAG_DELETED);
            tree.put("ref", "refs/heads/old");
            tree.put("deleted", "true").put("after", "not-zero-but-not-a-sha"); // derived

            GithubEvent event = parse("push", tree);

            assertThat(event.deleted()).isTrue();
            assertThat(event.type()).isEqualTo(Type.PUSH);
            assertThat(event.branch()).isEqualTo("old");
        }

        @Test
        void minimalObjectIsAccepted() {
            GithubEvent event = parser.parse("push", "{}".getBytes(UTF_8));

            assertThat(event).isEqualTo(new GithubEvent(Type.PUSH, "push", null, null, null,
                    null, null, null, false, false, false));
        }

        @Test
        void doesNotModifyTheBody() {
            byte[] body = GithubFixtures.bytes(BRANCH_CREATED);
            byte[] copy = body.clone();

            parser.parse("push", body);

            assertThat(body).isEqualTo(copy);
        }
    }

    @Nested
    class EventNames {

        @ParameterizedTest
        @ValueSource(strings = {"push", "Push", "PUSH", "pUsH", " push "})
        void pushInAnyCase(String eventName) {
            GithubEvent event = parse(eventName, BRANCH_CREATED);

            assertThat(event).isEqualTo(branchCreatedEvent(eventName));
            assertThat(event.eventName()).isEqualTo(eventName);
        }

        @ParameterizedTest
        @ValueSource(strings = {"release", "Release", "RELEASE"})
        void releaseInAnyCase(String eventName) {
            GithubEvent event = parse(eventName, RELEASE_PUBLISHED);

            assertThat(event.type()).isEqualTo(Type.RELEASE);
            assertThat(event.action()).isEqualTo("published");
            assertThat(event.eventName()).isEqualTo(eventName);
        }

        @ParameterizedTest
        @ValueSource(strings = {"ping", "Ping", "PING"})
        void pingInAnyCase(String eventName) {
            GithubEvent event = parse(eventName, PING);

            assertThat(event.type()).isEqualTo(Type.PING);
        }

        @ParameterizedTest
        @NullAndEmptySource
        @ValueSource(strings = {"workflow_run", "pushes", "push_event", "pull_request", "Ṗush"})
        void unknownEventsAreOther(String eventName) {
            // A push payload under another event name must not be taken for a push.
            GithubEvent event = parse(eventName, BRANCH_CREATED);

            assertThat(event.type()).isEqualTo(Type.OTHER);
            assertThat(event.eventName()).isEqualTo(eventName);
            assertThat(event.repository()).isEqualTo(REPO);
            assertThat(event.sender()).isEqualTo(SENDER);
            assertThat(event.branch()).isNull();
            assertThat(event.sha()).isNull();
        }

        @Test
        void otherEventsKeepTheirAction() {
            GithubEvent event = parse("release_v2", RELEASE_PUBLISHED);

            assertThat(event.type()).isEqualTo(Type.OTHER);
            assertThat(event.action()).isEqualTo("published");
            assertThat(event.tag()).isNull();
        }
    }

    @Nested
    class MalformedBodies {

        private MalformedPayloadException malformed(String eventName, byte[] body) {
            MalformedPayloadException e = catchThrowableOfType(MalformedPayloadException.class,
                    () -> parser.parse(eventName, body));
            assertThat(e).as("expected MalformedPayloadException").isNotNull();
            assertThat(e.getCause()).isNull();
            assertThat(e.getMessage()).isNotBlank().hasSizeLessThan(200).doesNotContain("\n", "\tat ");
            return e;
        }

        private MalformedPayloadException malformed(String body) {
            return malformed("push", body.getBytes(UTF_8));
        }

        @Test
        void nullOrEmptyBody() {
            assertThat(malformed("push", null)).hasMessage("body is empty");
            assertThat(malformed("push", new byte[0])).hasMessage("body is empty");
            assertThat(malformed(" \n\t ")).hasMessage("body is empty");
        }

        @Test
        void jsonValuesThatAreNotObjects() {
            assertThat(malformed("[1, 2, 3]")).hasMessage("body is a JSON array, expected an object");
            assertThat(malformed("[]")).hasMessage("body is a JSON array, expected an object");
            assertThat(malformed("\"push\"")).hasMessage("body is a JSON string, expected an object");
            assertThat(malformed("42")).hasMessage("body is a JSON number, expected an object");
            assertThat(malformed("true")).hasMessage("body is a JSON boolean, expected an object");
            assertThat(malformed("null")).hasMessage("body is a JSON null, expected an object");
        }

        @Test
        void arrayOfPublishedPayloadIsRefused() {
            ArrayNode array = GithubFixtures.tree(BRANCH_CREATED).arrayNode();
            array.add(GithubFixtures.tree(BRANCH_CREATED)); // derived: wrapped in an array

            assertThat(malformed("push", GithubFixtures.bytes(array)))
                    .hasMessage("body is a JSON array, expected an object");
        }

        @Test
        void syntaxErrorsNameTheirPosition() {
            // The exact column is Jackson's business; the line and the presence of a column are ours.
            assertThat(malformed("not json").getMessage()).matches("body is not valid JSON at line 1, column \\d+");
            assertThat(malformed("{\n  \"ref\": 'main'\n}").getMessage())
                    .matches("body is not valid JSON at line 2, column \\d+");
        }

        @ParameterizedTest
        @ValueSource(strings = {"{", "{\"ref\": ", "{\"ref\": \"refs/heads/ma", "{\"commits\": ["})
        void truncatedJson(String body) {
            assertThat(malformed(body).getMessage()).startsWith("body is not valid JSON: unexpected end of input");
        }

        @Test
        void truncatedPublishedPayload() {
            byte[] full = GithubFixtures.bytes(BRANCH_CREATED);
            byte[] half = Arrays.copyOf(full, full.length / 2);

            assertThat(malformed("push", half).getMessage())
                    .startsWith("body is not valid JSON: unexpected end of input");
        }

        @ParameterizedTest
        @ValueSource(strings = {"{} {}", "{\"a\": 1} x", "{}]", "{\"a\": 1}\n{\"b\": 2}"})
        void trailingContentIsRefused(String body) {
            assertThat(malformed(body).getMessage()).startsWith("body is not valid JSON");
        }

        @Test
        void duplicateKeysAreRefused() {
            assertThat(malformed("{\"ref\": \"refs/heads/main\", \"ref\": \"refs/heads/prod\"}").getMessage())
                    .startsWith("body is not valid JSON");
            assertThat(malformed("{\"release\": {\"tag_name\": \"a\", \"tag_name\": \"b\"}}").getMessage())
                    .startsWith("body is not valid JSON");
        }

        @Test
        void invalidUtf8IsRefused() {
            byte[] body = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};

            assertThat(malformed("push", body).getMessage()).startsWith("body is not valid JSON");
        }

        @Test
        void excessiveNestingIsRefused() {
            String body = "{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}";

            assertThat(malformed(body).getMessage()).startsWith("body exceeds JSON parser limits");
        }

        @Test
        void messageDoesNotEchoTheBody() {
            String token = "ghp_SuperSecretValue0123456789";
            MalformedPayloadException unquoted = malformed("{\"ref\": " + token + "}");
            MalformedPayloadException unterminated = malformed("{\"token\": \"" + token);
            MalformedPayloadException badKeyword = malformed("{\"deleted\": trueXYZZYsecret}");

            for (MalformedPayloadException e : List.of(unquoted, unterminated, badKeyword)) {
                assertThat(e.getMessage()).doesNotContain("ghp_", "Secret", "XYZZY", "secret", "\"");
            }
        }

        @Test
        void bodyIsCheckedWhateverTheEventName() {
            assertThat(malformed("workflow_run", "[]".getBytes(UTF_8)))
                    .hasMessage("body is a JSON array, expected an object");
            assertThat(malformed(null, "{".getBytes(UTF_8)).getMessage())
                    .startsWith("body is not valid JSON");
        }

        @Test
        void malformedPayloadExceptionIsUnchecked() {
            assertThatThrownBy(() -> parser.parse("push", "x".getBytes(UTF_8)))
                    .isInstanceOf(RuntimeException.class)
                    .isExactlyInstanceOf(MalformedPayloadException.class);
        }
    }

    @Nested
    class Robustness {

        @Test
        void largePushPayload() {
            ObjectNode tree = GithubFixtures.tree(BRANCH_CREATED);
            ObjectNode headCommit = (ObjectNode) tree.get("head_commit");
            // Derived: thousands of commits with long messages, as a big merge would produce.
            ArrayNode commits = tree.putArray("commits");
            String longMessage = "x".repeat(2_000);
            for (int i = 0; i < 3_000; i++) {
                commits.add(headCommit.deepCopy().put("message", longMessage));
            }
            byte[] body = GithubFixtures.bytes(tree);
            assertThat(body.length).isGreaterThan(6_000_000);

            assertThat(parser.parse("push", body)).isEqualTo(branchCreatedEvent("push"));
        }

        @Test
        void oneParserIsSafeToShareBetweenThreads() throws Exception {
            byte[] push = GithubFixtures.bytes(BRANCH_CREATED);
            byte[] release = GithubFixtures.bytes(RELEASE_PUBLISHED);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Callable<Boolean>> tasks = new ArrayList<>();
                for (int i = 0; i < 400; i++) {
                    boolean even = i % 2 == 0;
                    tasks.add(() -> even
                            ? parser.parse("push", push).equals(branchCreatedEvent("push"))
                            : parser.parse("release", release).equals(releasePublishedEvent()));
                }
                List<Future<Boolean>> results = pool.invokeAll(tasks, 60, TimeUnit.SECONDS);
                assertThat(results).hasSize(400);
                for (Future<Boolean> result : results) {
                    assertThat(result.get()).isTrue();
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Nested
    class ValuesNothingCanStore {

        @Test
        void aNulCharacterInAFieldTheParserReadsIsRefusedNamingTheField() {
            ObjectNode push = GithubFixtures.tree(BRANCH_CREATED);
            push.put("ref", "refs/heads/ma\u0000in");
            assertThatThrownBy(() -> parse("push", push)).isInstanceOf(MalformedPayloadException.class)
                    .hasMessage("field ref holds a NUL character (\\u0000)");
            ObjectNode release = GithubFixtures.tree(RELEASE_PUBLISHED);
            ((ObjectNode) release.get("sender")).put("login", "\u0000");
            assertThatThrownBy(() -> parse("release", release)).isInstanceOf(MalformedPayloadException.class)
                    .hasMessage("field login holds a NUL character (\\u0000)");
        }

        @Test
        void aNulCharacterInAFieldTheParserDoesNotReadChangesNothing() {
            ObjectNode push = GithubFixtures.tree(BRANCH_CREATED);
            push.put("compare", "\u0000");
            assertThat(parse("push", push)).isEqualTo(branchCreatedEvent("push"));
        }
    }
}
