package dev.greenlight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.greenlight.testing.TestHttpServer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the command line answers before, or instead of, an API answer: usage errors, help, a service that cannot be
 * reached or cannot answer (a real local HTTP server standing in for a broken one).
 */
class CommandLineUsageTest {
    private static final String TOKEN = "tok-usage-3b1c";

    @ParameterizedTest
    @ValueSource(strings = {"deploy", "status", "show", "rollback", "cancel", "approve", "reject", "promote", "audit"})
    void everyCommandHasHelpWithItsOptionsAndTheExitCodes(String command) {
        CliRunner.Result help = CliRunner.with(null, null).run(command, "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).startsWith("Usage: greenlight " + command).contains("--url=URL", "--token-file=FILE",
                "--json", "Calls ", "Exit codes:", "  3    the deployment was rolled back",
                "  4    refused by the API", "  5    the service could not be reached");
        assertThat(help.out()).doesNotContain("--token=");
        assertThat(CliRunner.with(null, null).run("help", command).out()).isEqualTo(help.out());
    }

    @Test
    void usageErrorsExit2WithTheReasonAndNoTokenIsTakenAsAnArgument() {
        CliRunner cli = CliRunner.with("http://127.0.0.1:" + TestHttpServer.closedPort(), TOKEN);
        CliRunner.Result tokenArgument = cli.run("status", "--token", TOKEN);
        assertThat(tokenArgument.exit()).isEqualTo(Exit.USAGE.code());
        assertThat(tokenArgument.err()).startsWith("Unknown option: '--token'");

        CliRunner.Result missing = cli.run("deploy", "shop");
        assertThat(missing.exit()).isEqualTo(Exit.USAGE.code());
        assertThat(missing.err()).startsWith("Missing required parameters: 'ENV', 'VERSION'");

        assertThat(cli.run().exit()).isEqualTo(Exit.USAGE.code());
        assertThat(cli.run("launch").err()).startsWith("Unmatched argument at index 0: 'launch'");
        assertThat(cli.run("show", "twelve").err()).contains("'twelve' is not a long");
        assertThat(cli.run("show", "1", "--follow", "--interval", "soon").err())
                .contains("'soon' is not a duration");
        assertThat(cli.run("audit", "--format", "pdf").exit()).isEqualTo(Exit.USAGE.code());

        CliRunner.Result badUrl = cli.run("status", "--url", "ftp://greenlight.example");
        assertThat(badUrl.exit()).isEqualTo(Exit.USAGE.code());
        assertThat(badUrl.err()).isEqualTo("greenlight: the Greenlight URL ftp://greenlight.example must be http:// or "
                + "https://, a host, an optional port and path, without query or user\n");

        CliRunner.Result noToken = CliRunner.with(null, null).run("status");
        assertThat(noToken.exit()).isEqualTo(Exit.USAGE.code());
        assertThat(noToken.err()).isEqualTo("greenlight: no API token: set GREENLIGHT_TOKEN or give --token-file "
                + "FILE\n");
        CliRunner.Result noFile = cli.run("status", "--token-file", "/nonexistent/token");
        assertThat(noFile.exit()).isEqualTo(Exit.USAGE.code());
        assertThat(noFile.err()).startsWith("greenlight: cannot read the token file /nonexistent/token");
        CliRunner.Result twoLines = CliRunner.with("http://127.0.0.1:1", "a\nX-Injected: 1").run("status");
        assertThat(twoLines.exit()).isEqualTo(Exit.USAGE.code());
        assertThat(twoLines.err()).contains("a character an HTTP header cannot carry");
    }

    @Test
    void aServiceThatCannotBeReachedOrAnswersWith5xxExits5() {
        int closed = TestHttpServer.closedPort();
        CliRunner.Result refused = CliRunner.with("http://127.0.0.1:" + closed, TOKEN).run("show", "1");
        assertThat(refused.exit()).isEqualTo(Exit.UNREACHABLE.code());
        assertThat(refused.err()).isEqualTo("greenlight: cannot reach Greenlight at http://127.0.0.1:" + closed
                + ": connection refused\n");
        assertThat(refused.out()).isEmpty();

        try (TestHttpServer broken = new TestHttpServer()) {
            broken.on("/api/v1/environments", TestHttpServer.status(503, "{\"error\":\"database unavailable\"}"));
            broken.on("/api/v1/deployments/1", TestHttpServer.status(200, "<html>a login page</html>"));
            CliRunner cli = CliRunner.with(broken.url() + "/", TOKEN);
            CliRunner.Result unavailable = cli.run("status");
            assertThat(unavailable.exit()).isEqualTo(Exit.UNREACHABLE.code());
            assertThat(unavailable.err()).isEqualTo("greenlight: Greenlight at " + broken.url() + " answered 503: "
                    + "database unavailable\n");
            CliRunner.Result notGreenlight = cli.run("show", "1");
            assertThat(notGreenlight.exit()).isEqualTo(Exit.UNREACHABLE.code());
            assertThat(notGreenlight.err()).contains("not JSON");
            assertThat(broken.requests()).as("the URL's trailing slash is not doubled")
                    .containsExactly("GET /api/v1/environments", "GET /api/v1/deployments/1");
        }
    }

    @Test
    void aTokenThatWouldCrossTheNetworkUnencryptedIsWarnedAbout() {
        int closed = TestHttpServer.closedPort();
        // 0.0.0.0 is no loopback address, yet Linux connects it to this machine: refused at once
        CliRunner.Result plain = CliRunner.with("http://0.0.0.0:" + closed, TOKEN).run("status");
        assertThat(plain.err()).startsWith("greenlight: warning: the token goes to http://0.0.0.0:" + closed
                + " unencrypted: use https:// beyond this machine\n");
        assertThat(plain.exit()).isEqualTo(Exit.UNREACHABLE.code());
        for (String local : List.of("http://127.0.0.1:" + closed, "http://localhost:" + closed,
                "http://[::1]:" + closed)) {
            assertThat(CliRunner.with(local, TOKEN).run("status").err()).as(local).doesNotContain("warning");
        }
    }

    @Test
    void theJarHandsItsCommandsToTheCommandLineAndEverythingElseToTheService() {
        for (String command : List.of("deploy", "status", "show", "rollback", "cancel", "approve", "reject",
                "promote", "audit", "help")) {
            assertThat(GreenlightCli.handles(new String[] {command, "x"})).as(command).isTrue();
        }
        assertThat(GreenlightCli.handles(new String[0])).isFalse();
        assertThat(GreenlightCli.handles(new String[] {"--help"})).as("Camel Main's own options").isFalse();
        assertThat(GreenlightCli.handles(new String[] {"-Dcamel.server.port=9090"})).isFalse();
    }
}
