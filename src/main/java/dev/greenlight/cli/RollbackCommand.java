package dev.greenlight.cli;

import dev.greenlight.http.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "rollback", description = {"Deploy again the version that was live before deployment ID: a new "
        + "deployment (trigger rollback) is queued.", "Calls POST /api/v1/deployments/{id}/rollback."})
final class RollbackCommand extends DeploymentActionCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "the deployment to roll back")
    long id;

    @Option(names = "--reason", paramLabel = "TEXT", description = "why, kept in the audit trail")
    String reason;

    @Option(names = "--restore", description = "blue-green: restore the database from deployment ID's backup too")
    boolean restore;

    @Override
    Exit run(ApiClient api) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (reason != null) body.put("reason", reason);
        if (restore) body.put("restore", true);
        return report(api, api.post("/deployments/" + id + "/rollback", body.isEmpty() ? "" : Json.write(body)),
                d -> "deployment " + d.path("id").asText() + " queued: rollback of deployment " + id + " to "
                        + d.path("app").asText() + "/" + d.path("environment").asText() + " "
                        + d.path("version").asText());
    }
}
