package dev.greenlight.intake;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlight.testing.GithubDelivery;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestConfig;
import dev.greenlight.testing.TestDatabase;
import dev.greenlight.testing.TestGreenlight;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the webhook secret comes from: the environment, a file (Docker secrets), or nowhere (then nothing passes). */
class WebhookSecretTest {
    @TempDir
    Path dir;

    @Test
    void theSecretIsReadFromTheFileNamedByTheFileVariable() throws Exception {
        Path secretFile = dir.resolve("webhook-secret");
        Files.writeString(secretFile, "from-a-file-0123456789\n"); // trailing newline as editors write it
        Map<String, String> env = TestConfig.environment();
        env.remove("GREENLIGHT_WEBHOOK_SECRET");
        env.put("GREENLIGHT_WEBHOOK_SECRET_FILE", secretFile.toString());
        try (TestDatabase db = TestDatabase.create();
             TestGreenlight app = TestGreenlight.start(TestConfig.write(dir), db, env)) {
            GithubDelivery signedWithFile = GithubDelivery.of("push",
                    GithubDelivery.push(TestConfig.REPOSITORY, TestConfig.BRANCH)).secret("from-a-file-0123456789");
            HttpResponse<String> accepted = signedWithFile.send(app);
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);

            HttpResponse<String> refused = GithubDelivery.of("push",
                    GithubDelivery.push(TestConfig.REPOSITORY, TestConfig.BRANCH)).send(app); // the test default secret
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(Sql.count(db, "select count(*) from deployments")).isEqualTo(1);
        }
    }

    @Test
    void withoutASecretEveryDeliveryIsRefused() throws Exception {
        Map<String, String> env = TestConfig.environment();
        env.remove("GREENLIGHT_WEBHOOK_SECRET");
        try (TestDatabase db = TestDatabase.create();
             TestGreenlight app = TestGreenlight.start(TestConfig.write(dir), db, env)) {
            for (String secret : new String[] {TestConfig.WEBHOOK_SECRET, "x"}) {
                GithubDelivery d = GithubDelivery.of("push", GithubDelivery.push(TestConfig.REPOSITORY, TestConfig.BRANCH))
                        .secret(secret);
                HttpResponse<String> r = d.send(app);
                assertThat(r.statusCode()).isEqualTo(401);
                assertThat(r.body()).contains("no webhook secret is configured");
                assertThat(Sql.count(db, "select count(*) from audit_log where action = 'webhook.refused' "
                        + "and outcome = 'unauthorized' and detail like ?", "%" + d.id() + "%")).isEqualTo(1);
            }
            HttpResponse<String> ping = GithubDelivery.of("ping", GithubDelivery.fixture("ping.json")).unsigned().send(app);
            assertThat(ping.statusCode()).isEqualTo(401);
            assertThat(Sql.count(db, "select count(*) from deployments")).isZero();
            assertThat(Sql.count(db, "select count(*) from webhook_deliveries")).isZero();
        }
    }

    @Test
    void anEmptySecretCountsAsNone() throws Exception {
        Map<String, String> env = TestConfig.environment();
        env.put("GREENLIGHT_WEBHOOK_SECRET", "");
        try (TestDatabase db = TestDatabase.create();
             TestGreenlight app = TestGreenlight.start(TestConfig.write(dir), db, env)) {
            // HMAC with an empty key is computable by anyone: it must not be accepted
            byte[] ping = GithubDelivery.bytes(GithubDelivery.fixture("ping.json"));
            HttpResponse<String> r = GithubDelivery.of("ping", ping).unsigned()
                    .header("X-Hub-Signature-256", "sha256=" + hmacWithEmptyKey(ping)).send(app);
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.body()).contains("no webhook secret is configured");
        }
    }

    /** HMAC pads its key with zeros: one zero byte signs exactly as the empty key does. */
    private static String hmacWithEmptyKey(byte[] body) throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(new byte[1], "HmacSHA256"));
        return java.util.HexFormat.of().formatHex(mac.doFinal(body));
    }
}
