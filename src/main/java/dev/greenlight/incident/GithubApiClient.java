package dev.greenlight.incident;

import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import org.eclipse.egit.github.core.client.GitHubClient;

/**
 * The egit client under camel-github, sent to the configured {@code github.api-url} as it is written
 * ({@code https://api.github.com}, {@code https://ghe.example.com/api/v3}, a local stand-in): egit itself knows only
 * api.github.com and hosts it prefixes with {@code /api/v3}. Every call is bounded in time, so a GitHub that accepts
 * connections and never answers cannot hold up the event relay.
 */
final class GithubApiClient extends GitHubClient {
    private final String apiUrl;
    private final int timeoutMillis;

    GithubApiClient(String apiUrl, Duration timeout) {
        super(URI.create(apiUrl).getHost());
        this.apiUrl = apiUrl.endsWith("/") ? apiUrl.substring(0, apiUrl.length() - 1) : apiUrl;
        this.timeoutMillis = (int) timeout.toMillis();
    }

    @Override
    protected String createUri(String path) {
        return apiUrl + path;
    }

    @Override
    protected HttpURLConnection configureRequest(HttpURLConnection request) {
        HttpURLConnection configured = super.configureRequest(request);
        configured.setConnectTimeout(timeoutMillis);
        configured.setReadTimeout(timeoutMillis);
        return configured;
    }
}
