package dev.greenlight.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.http.Json;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code POST /api/v1/deployments/{id}/<action>} with an optional reason: cancel, approve, reject, promote. */
abstract class DecisionCommand extends DeploymentActionCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "the deployment's id")
    long id;

    @Option(names = "--reason", paramLabel = "TEXT", description = "why, kept in the audit trail")
    String reason;

    /** The last segment of the call's path. */
    abstract String action();

    /** What was done, as the first words of the line printed ("approved"). */
    abstract String done();

    @Override
    Exit run(ApiClient api) {
        String body = reason == null ? "" : Json.write(Map.of("reason", reason));
        return report(api, api.post("/deployments/" + id + "/" + action(), body), this::text);
    }

    String text(JsonNode d) {
        return done() + " deployment " + d.path("id").asText() + ": " + DeploymentText.status(d);
    }
}
