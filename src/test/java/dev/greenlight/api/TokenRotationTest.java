package dev.greenlight.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.greenlight.config.ConfigException;
import dev.greenlight.config.ConfigLoader;
import dev.greenlight.config.ConfigWarnings;
import dev.greenlight.config.Secrets;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestConfig;
import dev.greenlight.testing.TestDatabase;
import dev.greenlight.testing.TestGreenlight;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A token rotated without a window in which neither works: {@code token-env} lists the old variable and the new
 * one, either token is accepted as the same client, and once the old variable is taken off the list (and the
 * service restarted) its token is refused even though it is still set.
 */
class TokenRotationTest {
    static final String OLD = "tok-ci-old-5e1f0a";
    static final String NEW = "tok-ci-new-93bc47";

    @TempDir
    Path dir;

    @Test
    void bothTokensWorkDuringTheRotationAndTheOldOneStopsOnceItIsRemoved() throws Exception {
        Map<String, String> env = new HashMap<>(TestConfig.environment());
        env.put("TOKEN_CI_OLD", OLD);
        env.put("TOKEN_CI_NEW", NEW);
        try (TestDatabase db = TestDatabase.create()) {
            try (TestGreenlight app = TestGreenlight.start(config("[TOKEN_CI_OLD, TOKEN_CI_NEW]"), db, env)) {
                for (String token : List.of(OLD, NEW)) {
                    var r = app.postJson("/api/v1/deployments", token,
                            "{\"app\":\"shop\",\"environment\":\"staging\",\"version\":\"v1\"}");
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
                }
                assertThat(Sql.count(db, "select count(*) from deployments where triggered_by = 'ci'")).isEqualTo(2);
                assertThat(app.postJson("/api/v1/deployments", NEW,
                        "{\"app\":\"shop\",\"environment\":\"production\",\"version\":\"v1\"}").statusCode()).isEqualTo(403);
            }
            try (TestGreenlight app = TestGreenlight.start(config("[TOKEN_CI_NEW]"), db, env)) {
                assertThat(app.get("/api/v1/deployments", NEW).statusCode()).isEqualTo(200);
                var old = app.get("/api/v1/deployments", OLD);
                assertThat(old.statusCode()).isEqualTo(401);
                assertThat(old.body()).contains("the bearer token is not valid");
                assertThat(Sql.count(db, "select count(*) from audit_log where action = 'api.refused' "
                        + "and outcome = 'unauthorized'")).isEqualTo(1);
            }
            try (TestGreenlight app = TestGreenlight.start(config("TOKEN_CI_NEW"), db, env)) {
                assertThat(app.get("/api/v1/deployments", NEW).statusCode()).as("a single name as before").isEqualTo(200);
                assertThat(app.get("/api/v1/deployments", OLD).statusCode()).isEqualTo(401);
            }
        }
    }

    @Test
    void aListThatIsEmptyTooLongRepeatedOrNotOfNamesIsRefusedNamingTheKey() {
        assertRefused("[]", "access[1].token-env: must name a variable, or two while a token is rotated");
        assertRefused("[A, B, C]", "access[1].token-env: names 3 variables: at most 2 (the token in use and the one replacing it)");
        assertRefused("[A, A]", "access[1].token-env: names A twice: a rotation names the old variable and the new one");
        assertRefused("[A, {b: c}]", "access[1].token-env[1]: must be a single value");
    }

    @Test
    void anUnsetVariableOfARotationIsWarnedAboutAndTheRuleKeepsTheOther() {
        Path file = config("[TOKEN_CI_OLD, TOKEN_CI_NEW]");
        Map<String, String> env = new HashMap<>(TestConfig.environment());
        env.put("TOKEN_CI_NEW", NEW);
        assertThat(ConfigWarnings.of(ConfigLoader.load(file), new Secrets(env::get)))
                .filteredOn(w -> w.contains("token-env")).containsExactly(file
                + ": access[1].token-env: TOKEN_CI_OLD is not set: access rule \"ci\" accepts only the token of the "
                + "other variable");
        assertThat(ConfigWarnings.of(ConfigLoader.load(file), new Secrets(TestConfig.environment()::get)))
                .filteredOn(w -> w.contains("token-env")).containsExactly(file + ": access[1].token-env: TOKEN_CI_OLD and TOKEN_CI_NEW are not set: access "
                        + "rule \"ci\" is dropped, and every call with its token is refused as not valid");
    }

    private void assertRefused(String tokenEnv, String message) {
        Path file = config(tokenEnv);
        assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(file + ": " + message);
    }

    /** TestConfig's file with the ci client's {@code token-env} set to {@code tokenEnv}. */
    private Path config(String tokenEnv) {
        String yaml = TestConfig.YAML.replace("token-env: TOKEN_CI", "token-env: " + tokenEnv);
        assertThat(yaml).contains("token-env: " + tokenEnv);
        return TestConfig.write(dir, yaml);
    }
}
