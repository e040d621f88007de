package dev.greenlight.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The token comparison is constant-time by construction: whatever is presented (empty, one character, longer than
 * any token, a prefix of a real one), what is compared are two 32-byte digests, every configured token is compared
 * once, also after a match, and the comparison is {@link MessageDigest#isEqual}. Timing is not measured here.
 */
class TokenMatcherTest {
    static final List<TokenMatcher.Known<String>> KNOWN = List.of(TokenMatcher.known("first", "tok-first-1234"),
            TokenMatcher.known("second", "tok-second-5678"), TokenMatcher.known("third", "tok-third-9012"));
    static final List<String> PRESENTED = List.of("", "t", "tok-first-1234", "tok-first-123", "tok-first-12345",
            "tok-third-9012", "x".repeat(10_000), "tok-second-5678", "\u00e9\u0000");

    /** Each comparison the matcher asked for: the lengths of both sides and the known side's owner. */
    record Comparison(int givenLength, int knownLength, String owner) {
    }

    @Test
    void everyKnownTokenIsComparedAsA32ByteDigestWhateverIsPresentedAndWhereverItMatches() {
        for (String presented : PRESENTED) {
            List<Comparison> seen = new ArrayList<>();
            TokenMatcher<String> matcher = new TokenMatcher<>(KNOWN, (given, known) -> {
                seen.add(new Comparison(given.length, known.length, ownerOf(known)));
                return MessageDigest.isEqual(given, known);
            });

            Optional<String> found = matcher.match(presented);

            assertThat(seen).as("comparisons for %s", presented).extracting(Comparison::owner)
                    .containsExactly("first", "second", "third");
            assertThat(seen).allSatisfy(c -> {
                assertThat(c.givenLength()).isEqualTo(32);
                assertThat(c.knownLength()).isEqualTo(32);
            });
            assertThat(found).isEqualTo(KNOWN.stream().filter(k -> MessageDigest.isEqual(k.digest(),
                    TokenMatcher.digest(presented))).map(TokenMatcher.Known::owner).findFirst());
        }
    }

    @Test
    void theMatcherFindsExactlyTheTokenPresentedAndNothingForANearMiss() {
        TokenMatcher<String> matcher = new TokenMatcher<>(KNOWN);
        assertThat(matcher.match("tok-first-1234")).contains("first");
        assertThat(matcher.match("tok-third-9012")).contains("third");
        assertThat(matcher.match("tok-first-123")).isEmpty();
        assertThat(matcher.match("tok-first-12345")).isEmpty();
        assertThat(matcher.match("TOK-FIRST-1234")).isEmpty();
        assertThat(matcher.match("")).isEmpty();
    }

    private static String ownerOf(byte[] digest) {
        return KNOWN.stream().filter(k -> k.digest() == digest).map(TokenMatcher.Known::owner).findFirst().orElse("?");
    }
}
