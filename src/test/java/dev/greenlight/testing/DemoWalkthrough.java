package dev.greenlight.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a person does with the demo, done by a test: wait for its welcome on stdout, take the two curl commands it
 * printed, run them as printed (the same method, URL, headers and body, through java.net.http), and follow the
 * deployments they queued through the API until they end.
 */
public final class DemoWalkthrough {
    private static final String RULE = "=".repeat(98);
    private static final Set<String> ENDS = Set.of("succeeded", "failed", "rolled_back", "rollback_failed",
            "cancelled");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The welcome as printed: its heading, the token, the base URL, the demo's files and the curl lines. */
    public record Welcome(String heading, String baseUrl, String token, Path demoFiles, List<String> curls) {
    }

    private DemoWalkthrough() {
    }

    /** Waits for the welcome, printed once after the demo's first deployments ended. */
    public static Welcome awaitWelcome(ChildGreenlight app, Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(500)).until(() -> {
            if (!app.isAlive()) throw new IllegalStateException("the demo stopped:\n" + app.stdout() + app.stderr());
            String out = app.stdout();
            int first = out.indexOf(RULE);
            return first >= 0 && out.indexOf(RULE, first + RULE.length()) > 0;
        });
        String out = app.stdout();
        int first = out.indexOf(RULE);
        String welcome = out.substring(first + RULE.length(), out.indexOf(RULE, first + RULE.length()));
        assertThat(out.indexOf(RULE, out.indexOf(RULE, first + RULE.length()) + RULE.length()))
                .as("the welcome is printed once").isNegative();
        List<String> curls = welcome.lines().filter(l -> l.startsWith("curl ")).toList();
        return new Welcome(welcome.strip().lines().findFirst().orElseThrow(),
                field(welcome, "Dashboard: +(\\S+?)/ "), field(welcome, "API token: +(\\S+)"),
                Path.of(field(welcome, "Demo files: +(\\S+)")), curls);
    }

    private static String field(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("the welcome has " + regex + ":\n" + text).isTrue();
        return m.group(1);
    }

    /** Runs a printed curl line and returns the answer. */
    public static HttpResponse<String> run(String curl) throws IOException, InterruptedException {
        return HTTP.send(request(curl), HttpResponse.BodyHandlers.ofString());
    }

    /** The request a curl line makes; only the options the demo prints are understood, anything else fails. */
    static HttpRequest request(String curl) {
        List<String> words = shellWords(curl);
        assertThat(words.get(0)).isEqualTo("curl");
        String method = "GET";
        String url = null;
        String body = null;
        List<String> headers = new ArrayList<>();
        for (int i = 1; i < words.size(); i++) {
            String w = words.get(i);
            switch (w) {
                case "-sS" -> { }
                case "-X" -> method = words.get(++i);
                case "-H" -> headers.add(words.get(++i));
                case "-d" -> body = words.get(++i);
                default -> {
                    assertThat(w).as("an option the test does not know").doesNotStartWith("-");
                    url = w;
                }
            }
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        for (String h : headers) {
            int colon = h.indexOf(':');
            b.header(h.substring(0, colon).strip(), h.substring(colon + 1).strip());
        }
        return b.build();
    }

    /** A POSIX shell's words for a line of plain words and single-quoted strings (with {@code '\''} inside). */
    static List<String> shellWords(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '\'') quoted = false;
                else word.append(c);
            } else if (c == '\'') {
                quoted = true;
                if (word == null) word = new StringBuilder();
            } else if (c == ' ') {
                if (word != null) words.add(word.toString());
                word = null;
            } else {
                assertThat("\\\"$`;&|<>()*?".indexOf(c)).as("a character the shell would treat specially: " + c)
                        .isNegative();
                if (word == null) word = new StringBuilder();
                word.append(c);
            }
        }
        assertThat(quoted).as("an unclosed quote").isFalse();
        if (word != null) words.add(word.toString());
        return words;
    }

    public static JsonNode deployment(Welcome welcome, long id) throws IOException, InterruptedException {
        return get(welcome, "/api/v1/deployments/" + id);
    }

    public static JsonNode get(Welcome welcome, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(welcome.baseUrl() + path))
                .header("Authorization", "Bearer " + welcome.token()).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    public static JsonNode awaitEnd(Welcome welcome, long id, Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(250))
                .until(() -> ENDS.contains(deployment(welcome, id).get("status").asText()));
        try {
            return deployment(welcome, id);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The welcome's two commands as a person pastes them: the first queues a good production release, which
     * succeeds and becomes the live version; the second a broken one, which the watch after its switch rolls back,
     * leaving the good one live.
     */
    public static void releaseThenBrokenRelease(Welcome welcome) throws IOException, InterruptedException {
        assertThat(welcome.curls()).hasSize(2);
        JsonNode good = queued(welcome.curls().get(0));
        assertThat(good.get("environment").asText()).isEqualTo("production");
        JsonNode goodEnd = awaitEnd(welcome, good.get("id").asLong(), Duration.ofSeconds(90));
        assertThat(goodEnd.get("status").asText()).as(goodEnd.toString()).isEqualTo("succeeded");
        assertThat(stages(goodEnd)).contains("deploy", "health", "switch", "live-health", "watch");
        assertThat(liveVersion(welcome)).isEqualTo(good.get("version").asText());
        assertThat(servedThroughLivePaths(welcome)).as("each host's proxy sends its traffic to the new version")
                .containsOnly(good.get("version").asText());

        JsonNode bad = queued(welcome.curls().get(1));
        assertThat(bad.get("version").asText()).endsWith("-bad");
        JsonNode badEnd = awaitEnd(welcome, bad.get("id").asLong(), Duration.ofSeconds(90));
        assertThat(badEnd.get("status").asText()).as(badEnd.toString()).isEqualTo("rolled_back");
        assertThat(badEnd.get("detail").asText()).startsWith("watch: ").contains("errors");
        assertThat(stages(badEnd)).contains("switch", "watch", "rollback-switch", "rollback-stop");
        assertThat(liveVersion(welcome)).as("the good release is live again").isEqualTo(good.get("version").asText());
        assertThat(servedThroughLivePaths(welcome)).containsOnly(good.get("version").asText());
    }

    /** The version each demo host's live path serves, asked through its proxy (the configuration's live-url). */
    private static List<String> servedThroughLivePaths(Welcome welcome) throws IOException, InterruptedException {
        String config = java.nio.file.Files.readString(welcome.demoFiles().resolve("greenlight.yaml"));
        String livePort = field(config, "live-url: \"http://\\{\\{host}}:(\\d+)\"");
        List<String> out = new ArrayList<>();
        for (String host : List.of("127.0.0.2", "127.0.0.3")) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + livePort
                    + "/version")).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            out.add(JSON.readTree(r.body()).get("version").asText());
        }
        return out;
    }

    private static JsonNode queued(String curl) throws IOException, InterruptedException {
        HttpResponse<String> r = run(curl);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonNode d = JSON.readTree(r.body());
        assertThat(d.get("status").asText()).isEqualTo("queued");
        return d;
    }

    private static List<String> stages(JsonNode deployment) {
        List<String> out = new ArrayList<>();
        deployment.get("steps").forEach(step -> out.add(step.get("stage").asText()));
        return out;
    }

    private static String liveVersion(Welcome welcome) throws IOException, InterruptedException {
        for (JsonNode env : get(welcome, "/api/v1/environments").get("environments")) {
            if (env.get("environment").asText().equals("production")) return env.get("liveVersion").asText();
        }
        throw new AssertionError("no production environment");
    }
}
