package dev.greenlight.api;

import dev.greenlight.config.AccessRule;
import dev.greenlight.http.Json;
import dev.greenlight.http.JsonReply;
import dev.greenlight.http.RemoteAddress;
import dev.greenlight.reload.ConfigReload;
import dev.greenlight.reload.ReloadOutcome;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;

/** {@code POST /api/v1/config/reload}: an admin token reloads greenlight.yaml. */
public final class ConfigApi {
    private final ApiAuth auth;
    private final ConfigReload reload;

    public ConfigApi(ApiAuth auth, ConfigReload reload) {
        this.auth = auth;
        this.reload = reload;
    }

    /**
     * 200 with what changed (names only), or 422 with every reason the file was refused, the running configuration
     * kept; 403 for a token without {@code role: admin}.
     */
    public void reload(Exchange exchange) {
        AccessRule caller = ApiAuth.caller(exchange);
        String source = RemoteAddress.of(exchange);
        auth.requireAdmin(caller, "config.reload_refused", source);
        ReloadOutcome outcome = reload.reload(caller.name(), source);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("applied", outcome.applied());
        if (outcome.applied()) {
            answer.put("summary", outcome.changes().summary());
            answer.put("changes", outcome.changes());
            JsonReply.set(exchange, 200, Json.write(answer));
        } else {
            answer.put("error", "the configuration was not reloaded; the running one stays");
            answer.put("errors", outcome.errors());
            JsonReply.set(exchange, 422, Json.write(answer));
        }
    }
}
