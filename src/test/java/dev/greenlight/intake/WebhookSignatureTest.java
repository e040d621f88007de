package dev.greenlight.intake;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.greenlight.testing.GithubDelivery;

class WebhookSignatureTest {

    // Test vector published in GitHub's "Validating webhook deliveries" documentation.
    private static final byte[] SECRET = "It's a Secret to Everybody".getBytes(UTF_8);
    private static final byte[] PAYLOAD = "Hello, World!".getBytes(UTF_8);
    private static final String EXPECTED =
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    private static final String EXPECTED_HEX = EXPECTED.substring("sha256=".length());

    @Test
    void signMatchesGithubsPublishedTestVector() {
        assertThat(GithubDelivery.sign(SECRET, PAYLOAD)).isEqualTo(EXPECTED);
    }

    @Test
    void verifyAcceptsGithubsPublishedTestVector() {
        assertThat(WebhookSignature.verify(SECRET, PAYLOAD, EXPECTED)).isTrue();
    }

    @Test
    void verifyRefusesWrongSecret() {
        byte[] otherSecret = "It's a Secret to Everybody!".getBytes(UTF_8);
        assertThat(WebhookSignature.verify(otherSecret, PAYLOAD, EXPECTED)).isFalse();
    }

    @Test
    void verifyRefusesTamperedBody() {
        assertThat(WebhookSignature.verify(SECRET, "Hello, World?".getBytes(UTF_8), EXPECTED)).isFalse();
        assertThat(WebhookSignature.verify(SECRET, "Hello, World! ".getBytes(UTF_8), EXPECTED)).isFalse();
    }

    @Test
    void verifyRefusesTamperedDigest() {
        // Flip the last hex digit: still well formed, no longer matching.
        String tampered = EXPECTED.substring(0, EXPECTED.length() - 1) + "6";
        assertThat(tampered).isNotEqualTo(EXPECTED).hasSameSizeAs(EXPECTED);
        assertThat(WebhookSignature.verify(SECRET, PAYLOAD, tampered)).isFalse();
    }

    @Test
    void verifyAcceptsUppercaseHexDigest() {
        // Documented choice: the digest is decoded to bytes, so hex case carries no meaning.
        String upper = "sha256=" + EXPECTED_HEX.toUpperCase(Locale.ROOT);
        assertThat(upper).isNotEqualTo(EXPECTED);
        assertThat(WebhookSignature.verify(SECRET, PAYLOAD, upper)).isTrue();
    }

    @Test
    void verifyIgnoresSurroundingWhitespace() {
        assertThat(WebhookSignature.verify(SECRET, PAYLOAD, "  " + EXPECTED + "\t")).isTrue();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   ", "sha256=", "sha256"})
    void verifyRefusesMissingOrEmptyHeader(String header) {
        assertThat(WebhookSignature.verify(SECRET, PAYLOAD, header)).isFalse();
    }

    @Test
    void verifyRefusesDigestWithoutPrefix() {
        assertThat(WebhookSignature.verify(SECRET, PAYLOAD, EXPECTED_HEX)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sha1=", "SHA256=", "sha-256=", "sha256:", "sha512="})
    void verifyRefusesOtherPrefixesEvenWithTheRightDigest(String prefix) {
        assertThat(WebhookSignature.verify(SECRET, PAYLOAD, prefix + EXPECTED_HEX)).isFalse();
    }

    @Test
    void verifyRefusesLegacySha1Header() {
        // What GitHub sends in X-Hub-Signature for this vector: HMAC-SHA1, 40 hex digits.
        String sha1Header = "sha1=" + hmacSha1Hex(SECRET, PAYLOAD);
        assertThat(sha1Header).hasSize("sha1=".length() + 40);
        assertThat(WebhookSignature.verify(SECRET, PAYLOAD, sha1Header)).isFalse();
    }

    @Test
    void verifyRefusesWrongLength() {
        assertThat(WebhookSignature.verify(SECRET, PAYLOAD, EXPECTED.substring(0, EXPECTED.length() - 1))).isFalse();
        assertThat(WebhookSignature.verify(SECRET, PAYLOAD, EXPECTED + "0")).isFalse();
        assertThat(WebhookSignature.verify(SECRET, PAYLOAD, EXPECTED + EXPECTED_HEX)).isFalse();
    }

    @Test
    void verifyRefusesNonHexDigits() {
        String withG = EXPECTED.substring(0, EXPECTED.length() - 1) + "g";
        // U+0667 ARABIC-INDIC DIGIT SEVEN: a digit to Character.digit, but not an ASCII hex digit.
        String withNonAsciiDigit = EXPECTED.substring(0, EXPECTED.length() - 1) + "\u0667";
        String withInnerSpace = EXPECTED.substring(0, 20) + " " + EXPECTED.substring(21);
        assertThat(WebhookSignature.verify(SECRET, PAYLOAD, withG)).isFalse();
        assertThat(WebhookSignature.verify(SECRET, PAYLOAD, withNonAsciiDigit)).isFalse();
        assertThat(WebhookSignature.verify(SECRET, PAYLOAD, withInnerSpace)).isFalse();
    }

    @Test
    void nullBodyIsTreatedAsEmptyBody() {
        String emptyBodySignature = GithubDelivery.sign(SECRET, new byte[0]);
        assertThat(GithubDelivery.sign(SECRET, null)).isEqualTo(emptyBodySignature);
        assertThat(WebhookSignature.verify(SECRET, null, emptyBodySignature)).isTrue();
        assertThat(WebhookSignature.verify(SECRET, null, EXPECTED)).isFalse();
    }

    @Test
    void emptyOrMissingSecretIsAConfigurationError() {
        assertThatThrownBy(() -> WebhookSignature.verify(new byte[0], PAYLOAD, EXPECTED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("secret");
        assertThatThrownBy(() -> WebhookSignature.verify(null, PAYLOAD, EXPECTED))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void signatureCoversTheRawBytesNotTheJsonValue() throws Exception {
        byte[] raw = GithubFixtures.bytes("push.branch-created.json");
        byte[] secret = "s3cr3t".getBytes(UTF_8);
        String header = GithubDelivery.sign(secret, raw);
        assertThat(header).startsWith("sha256=").hasSize(71).isEqualTo(header.toLowerCase(Locale.ROOT));
        assertThat(WebhookSignature.verify(secret, raw, header)).isTrue();

        // Same JSON value, different bytes (compact re-serialisation): must not verify.
        ObjectMapper mapper = new ObjectMapper();
        byte[] reserialised = mapper.writeValueAsBytes(mapper.readTree(raw));
        assertThat(mapper.readTree(reserialised)).isEqualTo(mapper.readTree(raw));
        assertThat(reserialised).isNotEqualTo(raw);
        assertThat(WebhookSignature.verify(secret, reserialised, header)).isFalse();
    }

    private static String hmacSha1Hex(byte[] key, byte[] data) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
            mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA1"));
            return java.util.HexFormat.of().formatHex(mac.doFinal(data));
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}
