package dev.greenlight.intake;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Loads the published GitHub example payloads under {@code src/test/resources/github/}. */
final class GithubFixtures {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private GithubFixtures() {
    }

    /** The fixture's bytes exactly as stored. */
    static byte[] bytes(String name) {
        String path = "/github/" + name;
        try (InputStream in = GithubFixtures.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing test fixture " + path);
            }
            byte[] bytes = in.readAllBytes();
            if (bytes.length == 0) {
                throw new IllegalStateException("empty test fixture " + path);
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fixture as a mutable tree, for deriving variants with a minimal change. */
    static ObjectNode tree(String name) {
        try {
            return (ObjectNode) MAPPER.readTree(bytes(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Serialises a (modified) tree back to bytes. */
    static byte[] bytes(JsonNode tree) {
        try {
            return MAPPER.writeValueAsBytes(tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
