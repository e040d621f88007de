package dev.greenlight.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.greenlight.http.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "status", description = {"Show the environments the token may act on (or APP's, or one): strategy, "
        + "live version, the deployment running, how many are queued, and whether a failed rollback locked it.",
        "Calls GET /api/v1/environments."})
final class StatusCommand extends ApiCommand {
    @Parameters(index = "0", paramLabel = "APP", arity = "0..1", description = "only this app's environments")
    String app;

    @Parameters(index = "1", paramLabel = "ENV", arity = "0..1", description = "only this environment of APP")
    String environment;

    @Override
    Exit run(ApiClient api) {
        List<JsonNode> shown = new ArrayList<>();
        for (JsonNode env : api.getJson("/environments").path("environments")) {
            if ((app == null || app.equals(env.path("app").asText()))
                    && (environment == null || environment.equals(env.path("environment").asText()))) {
                shown.add(env);
            }
        }
        if (shown.isEmpty() && app != null) {
            throw new CliFailure(Exit.REFUSED, "no environment " + app + (environment == null ? "" : "/" + environment)
                    + ": it is not configured, or this token may not act on it");
        }
        if (json()) {
            ArrayNode list = Json.MAPPER.createArrayNode().addAll(shown);
            out().println(Json.write(Map.of("environments", list)));
            return Exit.OK;
        }
        List<List<String>> rows = shown.stream().map(StatusCommand::row).toList();
        TextTable table = new TextTable(List.of("APP", "ENV", "STRATEGY", "LIVE", "RUNNING", "QUEUED", "LOCKED"))
                .fit(rows);
        out().println(table.header());
        rows.forEach(row -> out().println(table.row(row)));
        return Exit.OK;
    }

    private static List<String> row(JsonNode env) {
        JsonNode running = env.path("running");
        String live = DeploymentText.text(env, "liveVersion");
        return List.of(env.path("app").asText(), env.path("environment").asText(), env.path("strategy").asText(),
                live.isEmpty() ? "-" : live,
                running.isObject() ? "#" + running.path("id").asText() + " " + running.path("version").asText() + " "
                        + running.path("status").asText() : "-",
                env.path("queued").asText(),
                env.path("locked").asBoolean() ? "locked by #" + env.path("lockedBy").asText() : "no");
    }
}
