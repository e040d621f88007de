package dev.greenlight.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AuthChallengeTest {

    @Test
    void parsesABearerChallengeWithACommaInsideAQuotedScope() {
        List<AuthChallenge> challenges = AuthChallenge.parse(List.of(
                "Bearer realm=\"https://ghcr.io/token\",service=\"ghcr.io\",scope=\"repository:acme/app:pull,push\""));

        assertThat(challenges).singleElement().satisfies(c -> {
            assertThat(c.is("bearer")).isTrue();
            assertThat(c.param("realm")).isEqualTo("https://ghcr.io/token");
            assertThat(c.param("service")).isEqualTo("ghcr.io");
            assertThat(c.param("scope")).isEqualTo("repository:acme/app:pull,push");
        });
    }

    @Test
    void parsesSeveralChallengesInOneHeaderAndUnquotedValues() {
        List<AuthChallenge> challenges = AuthChallenge.parse(List.of(
                "Basic realm=\"Registry Realm\", Bearer realm=https://auth.example/token, Service=\"example\""));

        assertThat(challenges).extracting(AuthChallenge::scheme).containsExactly("Basic", "Bearer");
        assertThat(challenges.get(0).param("realm")).isEqualTo("Registry Realm");
        assertThat(challenges.get(1).param("realm")).isEqualTo("https://auth.example/token");
        assertThat(challenges.get(1).param("service")).isEqualTo("example");
    }

    @Test
    void unescapesQuotedPairs() {
        List<AuthChallenge> challenges = AuthChallenge.parse(List.of("Basic realm=\"say \\\"hi\\\"\""));

        assertThat(challenges.get(0).param("realm")).isEqualTo("say \"hi\"");
    }
}
