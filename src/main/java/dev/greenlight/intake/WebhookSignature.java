package dev.greenlight.intake;

import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies GitHub webhook deliveries ({@code X-Hub-Signature-256}).
 *
 * <p>GitHub sends {@code sha256=} followed by the lowercase hex HMAC-SHA256 of the raw request
 * body, keyed with the webhook's shared secret. Verification must use the body bytes exactly as
 * received: re-serialising parsed JSON changes them.
 *
 * <p>Header handling in {@link #verify}:
 * <ul>
 *   <li>The prefix must be exactly {@code sha256=} (lowercase). The legacy {@code sha1=} header
 *       ({@code X-Hub-Signature}) is refused.</li>
 *   <li>The digest must be exactly 64 ASCII hex digits. Upper- and lowercase digits are both
 *       accepted: the digest is decoded to bytes before comparison, so case carries no meaning.
 *       GitHub itself sends lowercase.</li>
 *   <li>Leading and trailing whitespace around the header value is ignored (it is not part of an
 *       HTTP field value).</li>
 * </ul>
 * The decoded digest is compared with {@link MessageDigest#isEqual}, whose running time does not
 * depend on where the first differing byte is.
 *
 * <p>This class is stateless and thread-safe.
 */
public final class WebhookSignature {

    /** Name of the HTTP header GitHub puts the signature in. */
    public static final String HEADER = "X-Hub-Signature-256";

    /** Prefix of the header value. */
    public static final String PREFIX = "sha256=";

    private static final String ALGORITHM = "HmacSHA256";
    private static final int DIGEST_HEX_LENGTH = 64;
    private static final HexFormat HEX = HexFormat.of();

    private WebhookSignature() {
    }

    /**
     * Tells whether {@code header} is a valid {@code X-Hub-Signature-256} value for {@code rawBody}.
     *
     * @param secret  the webhook secret; must not be null or empty
     * @param rawBody the request body exactly as received; null is treated as an empty body
     * @param header  the header value; null, empty or malformed values yield {@code false}
     * @return true only if the header is well formed and its digest matches
     * @throws IllegalArgumentException if the secret is null or empty (a configuration error,
     *                                  not something a request can cause)
     */
    public static boolean verify(byte[] secret, byte[] rawBody, String header) {
        byte[] expected = hmac(secret, rawBody);
        byte[] provided = decodeHeader(header);
        if (provided == null) {
            return false;
        }
        return MessageDigest.isEqual(expected, provided);
    }

    /** Returns the 32 digest bytes carried by a well-formed header, or null. */
    private static byte[] decodeHeader(String header) {
        if (header == null) {
            return null;
        }
        String value = header.strip();
        if (!value.startsWith(PREFIX) || value.length() != PREFIX.length() + DIGEST_HEX_LENGTH) {
            return null;
        }
        for (int i = PREFIX.length(); i < value.length(); i++) {
            if (!isAsciiHexDigit(value.charAt(i))) {
                return null;
            }
        }
        return HEX.parseHex(value, PREFIX.length(), value.length());
    }

    private static boolean isAsciiHexDigit(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    static byte[] hmac(byte[] secret, byte[] body) {
        if (secret == null || secret.length == 0) {
            throw new IllegalArgumentException("webhook secret must not be empty");
        }
        try {
            // Mac instances are not thread-safe and the key varies per call: one per call.
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret, ALGORITHM));
            return mac.doFinal(body == null ? new byte[0] : body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            // HmacSHA256 is mandatory on every Java platform and accepts keys of any length.
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}
