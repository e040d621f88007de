package dev.greenlight.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.greenlight.config.ShellQuote;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the demo does once Greenlight serves: it deploys a first version to both environments through the API, as any
 * client would, so that production has a live colour to protect and a release has something to roll back to; then it
 * prints, once, where Greenlight is, the demo token and two commands to paste: a good production release, and a
 * broken one that rolls back by itself.
 */
public final class DemoWelcome {
    private static final Logger LOG = LoggerFactory.getLogger(DemoWelcome.class);
    static final String APP = "shop";
    static final String FIRST_VERSION = "1.0.0";
    static final String GOOD_VERSION = "1.1.0";
    static final String BAD_VERSION = "1.2.0" + DemoApp.BAD_SUFFIX;
    private static final List<String> ENVIRONMENTS = List.of("staging", "production");
    private static final Set<String> ENDS = Set.of("succeeded", "failed", "rolled_back", "rollback_failed",
            "cancelled");
    private static final Duration FIRST_DEPLOYMENTS = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** @param baseUrl where Greenlight serves, e.g. {@code http://127.0.0.1:8080} */
    public DemoWelcome(String baseUrl, String token) {
        this.baseUrl = baseUrl;
        this.token = token;
    }

    /** Deploys the first version, then prints the welcome on {@code out}. */
    public void run(PrintStream out, String demoDirectory) {
        List<String> problems = firstDeployments();
        out.println(text(problems, demoDirectory));
        out.flush();
    }

    /** Queues the first version on every environment and waits for each to end; returns what went wrong. */
    private List<String> firstDeployments() {
        LOG.info("Demo: deploying {} to {} so that there is a live version to replace", FIRST_VERSION, ENVIRONMENTS);
        List<String> problems = new ArrayList<>();
        try {
            List<Long> ids = new ArrayList<>();
            for (String environment : ENVIRONMENTS) ids.add(deploy(environment, FIRST_VERSION));
            Instant deadline = Instant.now().plus(FIRST_DEPLOYMENTS);
            for (int i = 0; i < ids.size(); i++) {
                JsonNode end = awaitEnd(ids.get(i), deadline);
                if (!end.path("status").asText().equals("succeeded")) {
                    problems.add(ENVIRONMENTS.get(i) + ": deployment " + ids.get(i) + " of " + FIRST_VERSION + " is "
                            + end.path("status").asText() + " (" + end.path("detail").asText("no detail given") + ")");
                }
            }
        } catch (IOException | IllegalStateException e) {
            problems.add(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problems.add("interrupted");
        }
        problems.forEach(p -> LOG.error("Demo: the first deployment did not succeed: {}", p));
        return problems;
    }

    private long deploy(String environment, String version) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request("/api/v1/deployments").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(environment, version))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw new IllegalStateException("deploying " + version + " to " + environment + " was refused: "
                    + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body()).path("id").asLong();
    }

    private JsonNode awaitEnd(long id, Instant deadline) throws IOException, InterruptedException {
        while (Instant.now().isBefore(deadline)) {
            HttpResponse<String> r = http.send(request("/api/v1/deployments/" + id).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode d = JSON.readTree(r.body());
            if (r.statusCode() == 200 && ENDS.contains(d.path("status").asText())) return d;
            Thread.sleep(250);
        }
        throw new IllegalStateException("deployment " + id + " did not end within " + FIRST_DEPLOYMENTS.toMinutes()
                + " minutes");
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token);
    }

    private static String body(String environment, String version) {
        return "{\"app\":\"" + APP + "\",\"environment\":\"" + environment + "\",\"version\":\"" + version + "\"}";
    }

    /** One line a shell runs as it is: every value single-quoted. */
    String curl(String version) {
        return "curl -sS -X POST " + ShellQuote.quote(baseUrl + "/api/v1/deployments")
                + " -H " + ShellQuote.quote("Authorization: Bearer " + token)
                + " -H " + ShellQuote.quote("Content-Type: application/json")
                + " -d " + ShellQuote.quote(body("production", version));
    }

    String text(List<String> problems, String demoDirectory) {
        String heading = problems.isEmpty()
                ? "Greenlight demo is ready: " + APP + " " + FIRST_VERSION + " runs on staging (rolling, 2 hosts) and "
                        + "production (blue-green, 2 hosts)."
                : "Greenlight demo started, but its first deployments did not succeed:\n  "
                        + String.join("\n  ", problems) + "\n(the log above says why)";
        return String.join("\n", "",
                "==================================================================================================",
                heading,
                "",
                "  Dashboard:   " + baseUrl + "/   (sign in with the token below; the API is under /api/v1)",
                "  API token:   " + token,
                "  Demo files:  " + demoDirectory + "   (removed when Greenlight stops)",
                "",
                "Deploy " + GOOD_VERSION + " to production: beside the live colour, health-checked, switched, watched, "
                        + "succeeded:",
                "",
                curl(GOOD_VERSION),
                "",
                "Deploy " + BAD_VERSION + ", which the demo app treats as broken: its error count climbs after the "
                        + "switch, and the watch rolls it back by itself:",
                "",
                curl(BAD_VERSION),
                "",
                "Each answers with the queued deployment; watch it on the dashboard, or follow it with",
                "  curl -sS -H " + ShellQuote.quote("Authorization: Bearer " + token) + " " + baseUrl
                        + "/api/v1/deployments/<id>",
                "Demo mode runs because there is no greenlight.yaml here; write one (see the README) to leave it.",
                "==================================================================================================");
    }
}
