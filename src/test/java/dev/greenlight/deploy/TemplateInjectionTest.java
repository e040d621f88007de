package dev.greenlight.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.greenlight.config.ShellQuote;
import dev.greenlight.config.Template;
import dev.greenlight.ssh.CommandResult;
import dev.greenlight.ssh.EmbeddedSshServer;
import dev.greenlight.ssh.SshSessionPool;
import dev.greenlight.ssh.SshTarget;
import dev.greenlight.testing.GithubDelivery;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile tags, versions, commit ids and template values against the embedded SSH hosts, which run what they
 * receive with {@code /bin/sh -c}. Every payload would create the file {@code canary} in the host's directory if a
 * shell ever read it as code. A value is either refused where it enters (422 with the rule, nothing queued, no
 * command sent) or reaches the shell as one literal argument.
 */
class TemplateInjectionTest {
    /** Each would create {@code canary} (or run something) if a shell interpreted it. */
    static final List<String> CORPUS = List.of(
            "1.0;touch canary", "1.0|touch canary", "1.0&touch canary", "1.0&&touch canary", "$(touch canary)",
            "`touch canary`", "1.0>canary", "1.0<canary", "1.0\ntouch canary", "1.0\rtouch canary",
            "1.0'; touch canary; '", "1.0\"; touch canary; \"", "${IFS}touch${IFS}canary", "$((1))",
            "--help", "-oProxyCommand=touch canary", "-v", "-", "1.0 --force", "1.0\ttouch canary",
            "1.0\u037etouch canary", // Greek question mark, a look-alike of ;
            "1.0\uff1btouch canary", // fullwidth semicolon
            "1.0\u2024touch canary", // one-dot leader, a look-alike of .
            "\u202e1.0", "1.0\u0000touch canary", "*", "~root", "1.0#", "!!", "1.0\\", "'", "\"", "$HOME");

    @TempDir
    Path dir;

    @Test
    void hostileVersionsTagsAndCommitIdsAreRefusedWhereTheyEnterAndNoCommandIsSent() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 1, "trigger: { push: main, release: published }",
                Map.of("GREENLIGHT_WEBHOOK_SECRET", TestConfig.WEBHOOK_SECRET))) {
            for (String value : CORPUS) {
                var api = f.app.postJson("/api/v1/deployments", RollingFixture.TOKEN, """
                        {"app":"shop","environment":"staging","version":%s}""".formatted(
                        GithubDelivery.MAPPER.writeValueAsString(value)));
                String what = "version " + GithubDelivery.MAPPER.writeValueAsString(value) + ": " + api.body();
                if (value.indexOf('\0') >= 0) {
                    assertThat(api.statusCode()).as(what).isEqualTo(400);
                    assertThat(api.body()).as(what).contains("field version holds a NUL character");
                } else {
                    assertThat(api.statusCode()).as(what).isEqualTo(422);
                    assertThat(api.body()).as(what).contains("is not a valid image tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})");
                }

                var release = GithubDelivery.of("release", GithubDelivery.release("acme/shop", value)).send(f.app.uri("/webhooks/github"));
                assertThat(release.statusCode()).as(what).isIn(400, 422);
                assertThat(release.body()).as(what).containsAnyOf("release tag: version", "holds a NUL character");

                ObjectNode push = GithubDelivery.push("acme/shop", "main");
                push.put("after", value);
                ((ObjectNode) push.get("head_commit")).put("id", value);
                var pushed = GithubDelivery.of("push", push).send(f.app.uri("/webhooks/github"));
                assertThat(pushed.statusCode()).as(what).isIn(400, 422);
                assertThat(pushed.body()).as(what).containsAnyOf("push names no commit", "holds a NUL character");
            }
            assertThat(Sql.count(f.db, "select count(*) from deployments")).isZero();
            assertThat(Sql.count(f.db, "select count(*) from audit_log where outcome = 'refused'"))
                    .as("every refusal is audited").isGreaterThanOrEqualTo(2L * (CORPUS.size() - 1));
            assertThat(f.hosts.ssh(1).commands()).as("no command reached the host").isEmpty();
            assertThat(f.hosts.hostDir(1).resolve("canary")).doesNotExist();
        }
    }

    @Test
    void aHostileVersionStoredBehindTheIntakeFailsItsStepBeforeAnythingIsRendered() throws Exception {
        try (RollingFixture f = RollingFixture.start(dir, 1, "", Map.of())) {
            List<Long> ids = new ArrayList<>();
            for (String value : List.of("1.0;touch canary", "$(touch canary)", "-oProxyCommand=touch canary")) {
                Sql.update(f.db, "insert into deployments (app, environment, version, strategy, trigger_kind, "
                        + "triggered_by, status, created_at) values ('shop', 'staging', ?, 'rolling', 'manual', "
                        + "'test', 'queued', current_timestamp)", value);
                ids.add(((Number) Sql.rows(f.db, "select max(id) as id from deployments").get(0).get("id")).longValue());
            }
            for (long id : ids) {
                JsonNode d = f.awaitEnd(id);
                assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("failed");
                assertThat(d.toString()).contains("is not a valid image tag");
            }
            assertThat(f.hosts.ssh(1).commands()).as("only the pre-check's probe ran")
                    .allSatisfy(c -> assertThat(c).doesNotContain("canary").doesNotContain("deploy.sh"));
            assertThat(f.hosts.hostDir(1).resolve("canary")).doesNotExist();
            assertThat(f.hosts.version(1)).isNull();
        }
    }

    @Test
    void everyValueThatReachesAShellArrivesAsOneLiteralArgument() throws Exception {
        try (EmbeddedSshServer host = EmbeddedSshServer.start(dir.resolve("host"));
             SshSessionPool pool = new SshSessionPool()) {
            Files.writeString(host.workDir().resolve("args.sh"), "printf '%s\\0' \"$@\" > args\n");
            SshTarget target = host.target(dir.resolve("keys"));
            Template template = Template.parse("sh ./args.sh {{version}} --tag={{sha}} {{app}}{{environment}}",
                    Template.COMMAND_NAMES);
            List<String> corpus = CORPUS.stream().filter(v -> v.indexOf('\0') < 0).toList();
            for (String value : corpus) {
                Map<String, String> values = new LinkedHashMap<>();
                values.put("version", value);
                values.put("sha", value);
                values.put("app", value);
                values.put("environment", value);
                String command = template.renderShell(values);

                CommandResult result = pool.exec(target, command, Duration.ofSeconds(10));

                assertThat(result.exitCode()).as(command).isZero();
                assertThat(host.commands()).as("what the host received").last().isEqualTo("sh ./args.sh "
                        + ShellQuote.quote(value) + " --tag=" + ShellQuote.quote(value) + " "
                        + ShellQuote.quote(value) + ShellQuote.quote(value));
                byte[] args = Files.readAllBytes(host.workDir().resolve("args"));
                assertThat(split(args)).as(command).containsExactly(value, "--tag=" + value, value + value);
                assertThat(host.workDir().resolve("canary")).as(command).doesNotExist();
            }
        }
    }

    /** The NUL-terminated arguments {@code args.sh} wrote. */
    private static List<String> split(byte[] args) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < args.length; i++) {
            if (args[i] == 0) {
                out.add(new String(Arrays.copyOfRange(args, start, i), StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return out;
    }
}
