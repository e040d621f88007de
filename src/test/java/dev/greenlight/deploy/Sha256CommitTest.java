package dev.greenlight.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.greenlight.http.Json;
import dev.greenlight.testing.GithubDelivery;
import dev.greenlight.testing.Sql;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A push to a repository with SHA-256 object ids, end to end: the webhook, the stored commit, {@code {{sha}}} and
 * {@code {{sha7}}} in a real command over SSH, and the commit statuses sent to GitHub.
 */
class Sha256CommitTest {
    private static final String SECRET = "webhook-secret-for-sha256-test";
    private static final String GITHUB_TOKEN = "ghp_sha256TestToken0123456789";
    private static final String SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    @TempDir
    Path dir;
    HttpServer github;
    final List<String> statusPaths = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startGithub() throws Exception {
        github = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
        github.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            statusPaths.add(exchange.getRequestURI().getPath());
            exchange.sendResponseHeaders(201, -1);
            exchange.close();
        });
        github.start();
    }

    @AfterEach
    void stopGithub() {
        github.stop(0);
    }

    @Test
    void aSha256CommitIsDeployedBuiltAndReportedOnWithItsFullId() throws Exception {
        Path built = dir.resolve("built");
        // commit statuses only: the deployments mirror (on by default) has its own tests
        String githubBlock = "github: { token-env: GITHUB_TOKEN, api-url: \"http://127.0.0.1:"
                + github.getAddress().getPort() + "\", deployments: false }";
        try (RollingFixture f = RollingFixture.start(dir, 1, "build-host: BUILD_HOST",
                Map.of("GREENLIGHT_WEBHOOK_SECRET", SECRET, "GITHUB_TOKEN", GITHUB_TOKEN),
                "build: \"echo {{sha}} {{sha7}} > " + built + "\"", githubBlock)) {
            ObjectNode push = (ObjectNode) Json.MAPPER.readTree(getClass().getResourceAsStream("/github/push.branch-created.json"));
            ((ObjectNode) push.get("repository")).put("full_name", "acme/shop");
            push.put("ref", "refs/heads/main");
            push.put("after", SHA256); // derived: a repository with SHA-256 object ids
            ((ObjectNode) push.get("head_commit")).put("id", SHA256);
            byte[] body = Json.MAPPER.writeValueAsBytes(push);

            var r = f.app.send(HttpRequest.newBuilder(f.app.uri("/webhooks/github"))
                    .header("Content-Type", "application/json").header("X-GitHub-Event", "push")
                    .header("X-GitHub-Delivery", "sha256-test-1")
                    .header("X-Hub-Signature-256", GithubDelivery.sign(SECRET.getBytes(StandardCharsets.UTF_8), body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            long id = RollingFixture.json(r.body()).get("deployments").get(0).get("id").asLong();

            assertThat(f.awaitEnd(id).get("status").asText()).isEqualTo("succeeded");
            assertThat(Sql.rows(f.db, "select commit_sha from deployments where id = ?", id))
                    .containsExactly(Map.of("commit_sha", SHA256));
            assertThat(Files.readString(built).strip()).isEqualTo(SHA256 + " 9f86d08");
            assertThat(f.hosts.version(1)).isEqualTo("sha-9f86d08");
            await().atMost(Duration.ofSeconds(15)).until(() -> statusPaths.size() == 2);
            assertThat(statusPaths).containsOnly("/repos/acme/shop/statuses/" + SHA256);
        }
    }
}
