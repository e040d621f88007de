package dev.greenlight.dashboard;

import dev.greenlight.http.Json;
import dev.greenlight.http.JsonReply;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The dashboard's files, served from the jar: a fixed list read once at start-up, so that no request can name
 * anything else (no path is ever resolved against the working directory or the class path). The page loads nothing
 * from elsewhere, which its Content-Security-Policy enforces.
 */
public final class DashboardAssets {
    /** Everything the page may load: the API of the same origin, its own script, style and icon. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
    private static final Map<String, String> TYPES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "charts.js", "text/javascript; charset=utf-8",
            "app.css", "text/css; charset=utf-8",
            "icon.svg", "image/svg+xml");

    private final Map<String, byte[]> files;

    public DashboardAssets() {
        this.files = Map.copyOf(TYPES.keySet().stream()
                .collect(java.util.stream.Collectors.toMap(name -> name, DashboardAssets::load)));
    }

    /** GET /: the page. */
    public void page(Exchange exchange) {
        serve(exchange, "index.html");
    }

    /**
     * GET /ui/{asset}: one of the listed files, else 404 (a missing file is no refusal of anyone: not audited, not
     * counted against the client).
     */
    public void asset(Exchange exchange) {
        String name = exchange.getMessage().getHeader("asset", String.class);
        if (name == null || !files.containsKey(name) || name.equals("index.html")) {
            JsonReply.set(exchange, 404, Json.error("the dashboard has no file /ui/" + (name == null ? "" : name)));
            return;
        }
        serve(exchange, name);
    }

    private void serve(Exchange exchange, String name) {
        Message out = exchange.getMessage();
        out.getHeaders().clear();
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        out.setHeader(Exchange.CONTENT_TYPE, TYPES.get(name));
        out.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        out.setHeader("X-Content-Type-Options", "nosniff");
        out.setHeader("Referrer-Policy", "no-referrer");
        // the page and its files change with the jar: always revalidate, never serve one from an older build
        out.setHeader("Cache-Control", "no-cache");
        out.setBody(files.get(name));
    }

    private static byte[] load(String name) {
        try (InputStream in = DashboardAssets.class.getResourceAsStream("/dashboard/" + name)) {
            if (in == null) throw new IllegalStateException("the jar has no dashboard/" + name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dashboard/" + name + " from the jar", e);
        }
    }
}
