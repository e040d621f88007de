package dev.greenlight.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;
import java.util.function.BiPredicate;

/**
 * Finds whose token a request presents, in time that says nothing about the tokens: the presented token and every
 * configured one are compared as SHA-256 digests (always 32 bytes, whatever the lengths), with
 * {@link MessageDigest#isEqual} (which does not stop at the first differing byte), and every configured token is
 * compared, also after a match, so neither where a guess goes wrong nor which token matched shows in the time taken.
 *
 * @param <T> what a token identifies (an access rule)
 */
final class TokenMatcher<T> {
    /** A configured token, kept only as its digest. */
    record Known<T>(T owner, byte[] digest) {
    }

    private final List<Known<T>> known;
    private final BiPredicate<byte[], byte[]> equal;

    TokenMatcher(List<Known<T>> known) {
        this(known, MessageDigest::isEqual);
    }

    /** With another comparison of two digests: for tests that watch what is compared. */
    TokenMatcher(List<Known<T>> known, BiPredicate<byte[], byte[]> equal) {
        this.known = List.copyOf(known);
        this.equal = equal;
    }

    static <T> Known<T> known(T owner, String token) {
        return new Known<>(owner, digest(token));
    }

    Optional<T> match(String presented) {
        byte[] given = digest(presented);
        T found = null;
        for (Known<T> k : known) {
            if (equal.test(given, k.digest()) && found == null) found = k.owner();
        }
        return Optional.ofNullable(found);
    }

    static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory on every Java platform", e);
        }
    }
}
