package dev.greenlight.notify;

import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;

/**
 * The notification endpoints' HTTP client without Apache HttpClient's own retries: left on, it repeats a 429 or 503
 * once by itself (waiting in the relay's thread), hiding the attempt from the outbox, which counts every attempt and
 * waits without a thread.
 */
public final class NoAutomaticRetries implements HttpClientConfigurer {
    public static final String BEAN = "notificationHttpClient";

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        builder.disableAutomaticRetries();
    }
}
