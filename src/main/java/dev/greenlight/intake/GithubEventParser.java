package dev.greenlight.intake;

import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Turns a GitHub webhook delivery (the {@code X-GitHub-Event} header value and the raw body) into a
 * {@link GithubEvent}.
 *
 * <p>The body is read as a JSON tree and only the fields Greenlight needs are picked out, leniently:
 * missing fields, {@code null}s and values of an unexpected JSON type yield null or false rather
 * than an error, and nothing else in the payload is looked at (so, for example, repository
 * timestamps may be epoch numbers, as in push payloads, or ISO strings, as elsewhere). Commit ids
 * are only accepted when they are 40 (SHA-1) or 64 (SHA-256) hex digits, and are lowercased.
 *
 * <p>The body itself must be a single JSON object, with no duplicate keys in any object and nothing
 * after it, and no string field it reads may hold a NUL character; otherwise {@link MalformedPayloadException}.
 * Jackson's default stream limits apply (nesting depth, string and number lengths). Limiting the body size is the HTTP layer's job.
 *
 * <p>Instances are stateless and thread-safe; all share one configured {@link ObjectMapper}.
 * The signature should be checked with {@link WebhookSignature} on the same bytes before parsing.
 */
public final class GithubEventParser {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            // Ambiguous documents are refused rather than resolved by "last key wins".
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // Keep body content out of exception locations.
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final String HEADS = "refs/heads/";
    private static final String TAGS = "refs/tags/";

    /**
     * Parses one delivery.
     *
     * @param eventName the {@code X-GitHub-Event} header value, in any case; null or unknown names
     *                  give {@link GithubEvent.Type#OTHER}
     * @param body      the raw request body (UTF-8 JSON), as received
     * @return the normalised event; never null
     * @throws MalformedPayloadException if the body is empty, not valid JSON, or not a JSON object
     */
    public GithubEvent parse(String eventName, byte[] body) {
        JsonNode root = readObject(body);
        GithubEvent.Type type = GithubEvent.Type.fromEventName(eventName);
        String repository = repositoryFullName(root.path("repository"));
        String sender = text(root.path("sender"), "login");
        return switch (type) {
            case PUSH -> push(eventName, root, repository, sender);
            case RELEASE -> release(eventName, root, repository, sender);
            case WORKFLOW_DISPATCH -> new GithubEvent(type, eventName, repository, sender, null, null, null, null,
                    false, false, false, null, dispatch(root), null);
            case DEPLOYMENT -> deploymentEvent(eventName, root, repository, sender);
            case PING -> new GithubEvent(type, eventName, repository, sender, null,
                    null, null, null, false, false, false);
            case OTHER -> new GithubEvent(type, eventName, repository, sender, text(root, "action"),
                    null, null, null, false, false, false);
        };
    }

    private static GithubEvent push(String eventName, JsonNode root, String repository, String sender) {
        String ref = text(root, "ref");
        String rawAfter = text(root, "after");
        // "deleted" is authoritative when true; an all-zero "after" also means the ref is gone.
        boolean deleted = Boolean.TRUE.equals(bool(root, "deleted")) || isZeroId(rawAfter);
        String sha = null;
        if (!deleted) {
            sha = commitId(rawAfter);
            if (sha == null) {
                sha = commitId(text(root.path("head_commit"), "id"));
            }
        }
        return new GithubEvent(GithubEvent.Type.PUSH, eventName, repository, sender, null,
                refName(ref, HEADS), refName(ref, TAGS), sha, deleted, false, false,
                commitTime(root.path("head_commit"), sha));
    }

    /**
     * {@code head_commit.timestamp} when {@code head_commit} is the pushed commit: the start of the deployment's lead
     * time. Anything else (another commit, no timestamp, one that is not ISO-8601) gives null and deploys all the same.
     */
    private static Instant commitTime(JsonNode headCommit, String sha) {
        String timestamp = text(headCommit, "timestamp");
        if (sha == null || timestamp == null || !sha.equals(commitId(text(headCommit, "id")))) return null;
        try {
            return OffsetDateTime.parse(timestamp).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static GithubEvent release(String eventName, JsonNode root, String repository, String sender) {
        JsonNode release = root.path("release");
        return new GithubEvent(GithubEvent.Type.RELEASE, eventName, repository, sender, text(root, "action"),
                null, text(release, "tag_name"), null, false,
                Boolean.TRUE.equals(bool(release, "prerelease")),
                Boolean.TRUE.equals(bool(release, "draft")));
    }

    private static GithubEvent.Dispatch dispatch(JsonNode root) {
        Map<String, String> inputs = new LinkedHashMap<>();
        // a boolean or number input comes as such: its text is what was chosen
        root.path("inputs").fields().forEachRemaining(e -> {
            if (e.getValue().isValueNode() && !e.getValue().isNull()) inputs.put(e.getKey(), e.getValue().asText());
        });
        return new GithubEvent.Dispatch(text(root, "workflow"), text(root, "ref"), Map.copyOf(inputs));
    }

    private static GithubEvent deploymentEvent(String eventName, JsonNode root, String repository, String sender) {
        JsonNode d = root.path("deployment");
        JsonNode payload = payloadObject(d.path("payload"));
        JsonNode id = d.path("id");
        GithubEvent.Deployment deployment = new GithubEvent.Deployment(
                id.isIntegralNumber() && id.canConvertToLong() ? id.asLong() : null, commitId(text(d, "sha")),
                text(d, "ref"), text(d, "environment"), text(payload, "version"), payload.path("greenlight"));
        String sha = deployment.sha();
        return new GithubEvent(GithubEvent.Type.DEPLOYMENT, eventName, repository, sender, text(root, "action"),
                null, null, sha, false, false, false, null, null, deployment);
    }

    /**
     * A deployment's payload is what its creator sent: an object, or a string (the API takes both) that may hold
     * JSON. Anything else reads as an empty object.
     */
    private static JsonNode payloadObject(JsonNode payload) {
        if (payload.isObject()) return payload;
        if (payload.isTextual()) {
            try {
                JsonNode parsed = MAPPER.readTree(payload.textValue());
                if (parsed != null && parsed.isObject()) return parsed;
            } catch (IOException e) {
                // plain text: no fields to read
            }
        }
        return MAPPER.createObjectNode();
    }

    // ---- reading the body ----------------------------------------------------------------

    private static JsonNode readObject(byte[] body) {
        if (body == null || body.length == 0) {
            throw new MalformedPayloadException("body is empty");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (StreamConstraintsException e) {
            throw new MalformedPayloadException("body exceeds JSON parser limits: " + e.getOriginalMessage());
        } catch (JsonEOFException e) {
            throw new MalformedPayloadException("body is not valid JSON: unexpected end of input" + at(e.getLocation()));
        } catch (JsonProcessingException e) {
            throw new MalformedPayloadException("body is not valid JSON" + at(e.getLocation()));
        } catch (IOException e) {
            throw new MalformedPayloadException("body could not be read as JSON");
        }
        if (root == null || root.isMissingNode()) {
            throw new MalformedPayloadException("body is empty");
        }
        if (!root.isObject()) {
            throw new MalformedPayloadException(
                    "body is a JSON " + root.getNodeType().name().toLowerCase(Locale.ROOT) + ", expected an object");
        }
        return root;
    }

    private static String at(JsonLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    // ---- lenient field access ---------------------------------------------------------------

    /**
     * A non-empty string field, or null when missing, null, empty or not a string. A NUL character is refused: no
     * GitHub name, ref or tag holds one, and PostgreSQL cannot store it in the answer or the audit entry that may
     * quote the value.
     */
    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (!value.isTextual()) {
            return null;
        }
        String text = value.textValue();
        if (text.indexOf('\0') >= 0) {
            throw new MalformedPayloadException("field " + field + " holds a NUL character (\\u0000)");
        }
        return text.isEmpty() ? null : text;
    }

    /** A boolean field (also accepting the strings "true"/"false"), or null when absent or unusable. */
    private static Boolean bool(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isTextual()) {
            String text = value.textValue().strip();
            if (text.equalsIgnoreCase("true")) {
                return Boolean.TRUE;
            }
            if (text.equalsIgnoreCase("false")) {
                return Boolean.FALSE;
            }
        }
        return null;
    }

    private static String repositoryFullName(JsonNode repository) {
        String fullName = text(repository, "full_name");
        if (fullName != null) {
            return fullName;
        }
        String name = text(repository, "name");
        JsonNode owner = repository.path("owner");
        String ownerName = text(owner, "login");
        if (ownerName == null) {
            ownerName = text(owner, "name");
        }
        return name != null && ownerName != null ? ownerName + "/" + name : null;
    }

    /** The part of {@code ref} after {@code prefix}, or null if it does not start with it or nothing follows. */
    private static String refName(String ref, String prefix) {
        if (ref == null || !ref.startsWith(prefix) || ref.length() == prefix.length()) {
            return null;
        }
        return ref.substring(prefix.length());
    }

    /** A well-formed, non-zero commit id in lowercase, or null. */
    private static String commitId(String candidate) {
        if (candidate == null || (candidate.length() != 40 && candidate.length() != 64) || isZeroId(candidate)) {
            return null;
        }
        for (int i = 0; i < candidate.length(); i++) {
            char c = candidate.charAt(i);
            boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!hex) {
                return null;
            }
        }
        return candidate.toLowerCase(Locale.ROOT);
    }

    /** Git's null object id (all zeros), which GitHub uses for "no commit" in before/after. */
    private static boolean isZeroId(String id) {
        if (id == null || (id.length() != 40 && id.length() != 64)) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            if (id.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }
}
