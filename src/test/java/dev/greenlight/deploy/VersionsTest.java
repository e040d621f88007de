package dev.greenlight.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which commit ids may reach commands, URLs and the store. */
class VersionsTest {
    static final String SHA1 = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
    static final String SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    @Test
    void commitIdsOfSha1AndSha256RepositoriesAreValidInEitherCase() {
        assertThat(Versions.isValidSha(SHA1)).isTrue();
        assertThat(Versions.isValidSha(SHA256)).isTrue();
        assertThat(Versions.isValidSha(SHA1.toUpperCase())).isTrue();
        assertThat(Versions.isValidSha(SHA256.toUpperCase())).isTrue();
    }

    @Test
    void anythingElseIsInvalid() {
        for (String sha : new String[] {null, "", SHA1.substring(1), SHA1 + "0", SHA256.substring(1), SHA256 + "0",
                SHA1.substring(0, 39) + "g", SHA256.substring(0, 63) + "g", SHA1 + SHA1.substring(0, 24) + ";",
                "6113728", SHA1 + "\n", " " + SHA256, "$(touch x)" + SHA1.substring(10)}) {
            assertThat(Versions.isValidSha(sha)).as(String.valueOf(sha)).isFalse();
        }
    }

    @Test
    void theRefusalNamesTheValueAndTheRule() {
        assertThat(Versions.invalidShaMessage("abc")).isEqualTo("commit sha \"abc\" is not 40 (SHA-1) or 64 (SHA-256) hex digits");
        assertThat(Versions.invalidShaMessage(null)).isEqualTo("commit sha nothing is not 40 (SHA-1) or 64 (SHA-256) hex digits");
        assertThat(Versions.invalidShaMessage("f".repeat(200))).contains("\"" + "f".repeat(80) + "…\"");
    }
}
