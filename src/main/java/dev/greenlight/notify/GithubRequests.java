package dev.greenlight.notify;

import dev.greenlight.http.Json;
import java.util.Map;
import org.apache.camel.Exchange;

/** A JSON POST to GitHub's REST API as the relay's camel-http calls send it: token, media type, API version. */
final class GithubRequests {
    /** GitHub's limit on a status description. */
    private static final int DESCRIPTION_LIMIT = 140;

    private GithubRequests() {
    }

    /**
     * Replaces the message with the request: headers a previous call left on the exchange (its answer's, an
     * {@code CamelHttpUri}) would otherwise go out with it, or redirect it.
     */
    static void post(Exchange exchange, String urlProperty, String url, String token, Map<String, Object> body) {
        var message = exchange.getMessage();
        message.removeHeaders("*");
        exchange.setProperty(urlProperty, url);
        message.setHeader("Authorization", "Bearer " + token);
        message.setHeader("Accept", "application/vnd.github+json");
        message.setHeader("X-GitHub-Api-Version", "2022-11-28");
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setHeader(Exchange.HTTP_METHOD, "POST");
        message.setBody(Json.write(body));
    }

    static String description(String text) {
        return text.length() > DESCRIPTION_LIMIT ? text.substring(0, DESCRIPTION_LIMIT - 1) + "…" : text;
    }
}
