package dev.greenlight.api;

import dev.greenlight.http.ApiError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.greenlight.audit.AuditEvent;
import dev.greenlight.audit.AuditLog;
import dev.greenlight.audit.RefusalLimiter;
import dev.greenlight.config.AccessRule;
import dev.greenlight.config.ConfigLoader;
import dev.greenlight.config.GreenlightConfig;
import dev.greenlight.config.Secrets;
import dev.greenlight.store.Database;
import dev.greenlight.store.Jdbc;
import dev.greenlight.store.Page;
import dev.greenlight.store.Scope;
import dev.greenlight.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bearer tokens come from the environment or a file; each names its client; refusals are audited without the token. */
class ApiAuthTest {
    @TempDir
    Path dir;
    TestDatabase db;
    HikariDataSource ds;
    AuditLog audit;
    ApiAuth auth;
    GreenlightConfig cfg;

    @BeforeEach
    void setUp() throws Exception {
        Path tokenFile = dir.resolve("deployer.token");
        Files.writeString(tokenFile, "file-token-123456\n");
        Path config = dir.resolve("greenlight.yaml");
        Files.writeString(config, """
                access:
                  - name: deployer
                    token-file: %s
                    environments: [qa, staging]
                  - name: bot
                    token-env: BOT_TOKEN
                    apps: [shop]
                    environments: [qa]
                  - name: nobody
                    token-env: UNSET_TOKEN
                    environments: [qa]
                apps:
                  shop:
                    repository: acme/shop
                    environments:
                      qa: { hosts: [a], ssh: { user: d, key-file: /k, known-hosts: /kh }, commands: { deploy: x } }
                      staging: { hosts: [b], ssh: { user: d, key-file: /k, known-hosts: /kh }, commands: { deploy: x } }
                  blog:
                    repository: acme/blog
                    environments:
                      qa: { hosts: [c], ssh: { user: d, key-file: /k, known-hosts: /kh }, commands: { deploy: x } }
                """.formatted(tokenFile));
        cfg = ConfigLoader.load(config);
        db = TestDatabase.h2();
        ds = Database.open(db.url(), db.user(), null, null, 2);
        Secrets secrets = new Secrets(Map.of("BOT_TOKEN", "env-token-abcdef")::get);
        audit = new AuditLog(new Jdbc(ds), Clock.systemUTC(), secrets);
        auth = new ApiAuth(new dev.greenlight.config.CurrentConfig(cfg), secrets, audit, new RefusalLimiter(audit, Clock.systemUTC(), 100, Duration.ofMinutes(1)));
    }

    @AfterEach
    void tearDown() throws Exception {
        ds.close();
        db.close();
    }

    @Test
    void eachTokenNamesItsClient() {
        assertThat(auth.authenticate("Bearer file-token-123456", "127.0.0.1").name()).isEqualTo("deployer");
        assertThat(auth.authenticate("bearer env-token-abcdef", "127.0.0.1").name()).isEqualTo("bot");
        assertThat(auth.authenticate("Bearer  env-token-abcdef ", "127.0.0.1").name()).isEqualTo("bot");
    }

    @Test
    void aClientWhoseTokenIsNotSetCannotAuthenticateAndNeitherCanAnEmptyToken() {
        for (String header : new String[] {null, "Bearer", "Bearer ", "Bearer env-token-abcde", "Token env-token-abcdef",
                "env-token-abcdef"}) {
            assertThatThrownBy(() -> auth.authenticate(header, "127.0.0.1")).as(String.valueOf(header))
                    .isInstanceOfSatisfying(ApiError.class, e -> {
                        assertThat(e.status()).isEqualTo(401);
                        assertThat(e.isAudited()).isTrue();
                    });
        }
        assertThat(audit.list(Scope.EVERYTHING, null, null, null, Page.newest(100))).hasSize(6).allSatisfy(e -> {
            assertThat(e.actor()).isEqualTo("anonymous");
            assertThat(e.outcome()).isEqualTo("unauthorized");
            assertThat(e.detail()).doesNotContain("env-token").doesNotContain("file-token");
        });
    }

    @Test
    void aClientMayActOnlyOnItsAppsAndEnvironments() {
        AccessRule bot = auth.authenticate("Bearer env-token-abcdef", "10.1.1.1");
        auth.authorize(bot, "shop", "qa", "deployment.refused", "10.1.1.1");
        assertThatThrownBy(() -> auth.authorize(bot, "blog", "qa", "deployment.refused", "10.1.1.1"))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(403));
        assertThatThrownBy(() -> auth.authorize(bot, "shop", "staging", "deployment.refused", "10.1.1.1"))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(403));
        AuditEvent last = audit.list(Scope.EVERYTHING, null, null, null, Page.newest(1)).get(0);
        assertThat(last.actor()).isEqualTo("bot");
        assertThat(last.outcome()).isEqualTo("forbidden");
        assertThat(last.environment()).isEqualTo("staging");
        assertThat(last.source()).isEqualTo("10.1.1.1");
    }

    @Test
    void aTokenRestrictedToAppsReadsTheAuditTrailOfThoseOnlyAndATokenAllowedEverywhereReadsAll() {
        audit.record(AuditEvent.of("x", "deployment.queued", "accepted").target("shop", "qa", "v1"));
        audit.record(AuditEvent.of("x", "deployment.queued", "accepted").target("blog", "qa", "v2"));
        audit.record(AuditEvent.of("x", "deployment.queued", "accepted").target("shop", "staging", "v3"));
        audit.record(AuditEvent.of("anonymous", "api.refused", "unauthorized"));
        AccessRule bot = auth.authenticate("Bearer env-token-abcdef", "10.1.1.1");
        AccessRule deployer = auth.authenticate("Bearer file-token-123456", "10.1.1.1");

        Scope botScope = ApiAuth.scope(cfg, bot);
        assertThat(audit.list(botScope, null, null, null, Page.newest(100))).extracting(AuditEvent::version).containsExactly("v1");
        assertThat(botScope.allows("shop", "qa")).isTrue();
        assertThat(botScope.allows("blog", "qa")).isFalse();
        assertThat(botScope.allows(null, null)).isFalse();

        // deployer may act on every configured environment (shop qa and staging, blog qa): it sees everything
        assertThat(ApiAuth.scope(cfg, deployer)).isEqualTo(Scope.EVERYTHING);
        assertThat(audit.list(Scope.EVERYTHING, null, null, null, Page.newest(100))).extracting(AuditEvent::version)
                .containsExactly(null, "v3", "v2", "v1");
    }
}
