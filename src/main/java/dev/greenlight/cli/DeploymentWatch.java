package dev.greenlight.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.deploy.DeploymentStatus;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Shows one deployment: once, or ({@link #follow}) read again every interval until it ends, printing each step as it
 * ends and each change of status, so a terminal shows the run as it goes. Either way the exit says how it ended.
 */
final class DeploymentWatch {
    private final ApiClient api;
    private final PrintWriter out;
    private final boolean json;

    DeploymentWatch(ApiClient api, PrintWriter out, boolean json) {
        this.api = api;
        this.out = out;
        this.json = json;
    }

    /** The deployment as it is now, with all its steps. */
    Exit show(long id) {
        String body = api.get(path(id), "application/json");
        JsonNode d = ApiClient.parse(body);
        if (json) {
            out.println(body);
        } else {
            DeploymentText.summary(d).forEach(out::println);
            List<List<String>> rows = DeploymentText.stepRows(d);
            TextTable table = DeploymentText.stepTable().fit(rows);
            out.println();
            out.println(table.header());
            rows.forEach(row -> out.println(table.row(row)));
        }
        return Exit.of(DeploymentText.statusOf(d));
    }

    /** Reads the deployment every {@code interval} until it ends; with {@code --json} only its last answer is shown. */
    Exit follow(long id, Duration interval) {
        TextTable table = DeploymentText.stepTable();
        Set<String> shownSteps = new HashSet<>();
        String shownStatus = null;
        while (true) {
            String body = api.get(path(id), "application/json");
            JsonNode d = ApiClient.parse(body);
            DeploymentStatus status = DeploymentText.statusOf(d);
            if (!json) {
                if (shownStatus == null) {
                    DeploymentText.summary(d).forEach(out::println);
                    out.println();
                    out.println(table.header());
                }
                for (JsonNode step : d.path("steps")) {
                    // a step is shown once it has ended, so its row is final
                    boolean ended = !"running".equals(step.path("status").asText()) || status.terminal();
                    if (ended && shownSteps.add(step.path("id").asText())) {
                        out.println(table.row(DeploymentText.stepRow(step)));
                    }
                }
                String now = DeploymentText.status(d);
                if (shownStatus != null && !shownStatus.equals(now)) out.println("-- " + now);
                shownStatus = now;
                out.flush();
            }
            if (status.terminal()) {
                if (json) out.println(body);
                return Exit.of(status);
            }
            pause(interval);
        }
    }

    private static String path(long id) {
        return "/deployments/" + id;
    }

    private static void pause(Duration interval) {
        try {
            Thread.sleep(interval.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure(Exit.INTERNAL, "interrupted while following the deployment");
        }
    }
}
