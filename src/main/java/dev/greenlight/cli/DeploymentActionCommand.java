package dev.greenlight.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.function.Function;
import picocli.CommandLine.Mixin;

/**
 * A command whose answer is a deployment (queued, approved, promoted, cancelled): printed as a line of text or as the
 * API's JSON, then followed to its end when asked.
 */
abstract class DeploymentActionCommand extends ApiCommand {
    @Mixin
    FollowOptions follow;

    /** With {@code --json --follow} only the ended deployment is printed, so a script reads one JSON document. */
    Exit report(ApiClient api, HttpResponse<String> answer, Function<JsonNode, String> text) {
        JsonNode d = ApiClient.parse(answer.body());
        if (!(json() && follow.follow)) out().println(json() ? answer.body() : text.apply(d));
        out().flush();
        return follow.after(new DeploymentWatch(api, out(), json()), d.path("id").asLong());
    }
}
