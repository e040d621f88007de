package dev.greenlight.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.http.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "deploy", description = {"Queue a deployment of VERSION to APP's environment ENV.",
        "Calls POST /api/v1/deployments."})
final class DeployCommand extends DeploymentActionCommand {
    @Parameters(index = "0", paramLabel = "APP")
    String app;

    @Parameters(index = "1", paramLabel = "ENV")
    String environment;

    @Parameters(index = "2", paramLabel = "VERSION", description = "the image tag or version to deploy")
    String version;

    @Option(names = "--reason", paramLabel = "TEXT", description = "why, kept in the audit trail")
    String reason;

    @Override
    Exit run(ApiClient api) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("app", app);
        body.put("environment", environment);
        body.put("version", version);
        if (reason != null) body.put("reason", reason);
        return report(api, api.post("/deployments", Json.write(body)), DeployCommand::queued);
    }

    private static String queued(JsonNode d) {
        String line = "deployment " + d.path("id").asText() + " queued: " + d.path("app").asText() + "/"
                + d.path("environment").asText() + " " + d.path("version").asText();
        String notice = DeploymentText.text(d, "message");
        return notice.isEmpty() ? line : line + "\n" + notice;
    }
}
