package dev.greenlight.http;

import dev.greenlight.audit.AuditEvent;
import dev.greenlight.audit.RefusalLimiter;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers what the HTTP server refuses before a route sees the request (a body over the size limit, a form body it
 * could not parse) the way the routes answer: a JSON {@code {"error": …}} with a fitting status, and an audit entry
 * (through the refusal limiter: nobody has been authenticated yet). Installed as the failure handler of the business
 * server's router, with {@link #unmatched} as its last route.
 */
public final class HttpFailures implements Handler<RoutingContext> {
    private static final Logger LOG = LoggerFactory.getLogger(HttpFailures.class);

    private final long maxBodySize;
    private final Registry registry;

    /** @param registry where the refusal limiter and the trusted proxies are found once Greenlight has bound them */
    public HttpFailures(long maxBodySize, Registry registry) {
        this.maxBodySize = maxBodySize;
        this.registry = registry;
    }

    /**
     * The last route of the router: a request no route took. 405 with {@code Allow} when routes serve the path with
     * other methods; 406 when one serves it with this method but the request's {@code Accept} rules out what it
     * produces (a route's {@code produces}, which Vert.x checks before it is chosen); else 404.
     * Not audited: scanners would fill the audit trail with noise.
     */
    public static Handler<RoutingContext> unmatched(Router router) {
        return ctx -> {
            String path = ctx.request().path();
            Set<String> allowed = new TreeSet<>();
            for (Route route : router.getRoutes()) {
                if (route.getPath() != null && pathMatches(route.getPath(), path)
                        && route.methods() != null) {
                    route.methods().forEach(m -> allowed.add(m.name()));
                }
            }
            if (allowed.isEmpty()) {
                ctx.response().setStatusCode(404).putHeader("Content-Type", "application/json")
                        .end(Json.error("no such resource: " + ctx.request().method() + " " + path));
            } else if (allowed.contains(ctx.request().method().name())) {
                String accept = ctx.request().getHeader("Accept");
                ctx.response().setStatusCode(406).putHeader("Content-Type", "application/json")
                        .end(Json.error(path + " answers " + answers(path) + " only, which Accept: "
                                + (accept == null ? "" : accept.length() > 100 ? accept.substring(0, 100) + "…" : accept)
                                + " does not admit"));
            } else {
                ctx.response().setStatusCode(405).putHeader("Allow", String.join(", ", allowed))
                        .putHeader("Content-Type", "application/json")
                        .end(Json.error("method " + ctx.request().method() + " is not allowed on " + path
                                + " (allowed: " + String.join(", ", allowed) + ")"));
            }
        };
    }

    /**
     * What a path's routes produce: every call answers JSON but the incident report, which is Markdown, and the audit
     * trail, which is also a Markdown or CSV document.
     */
    private static String answers(String path) {
        if (path.endsWith("/incident")) return "text/markdown";
        return path.equals("/api/v1/audit") ? "application/json, text/markdown or text/csv" : "application/json";
    }

    /** A Vert.x route path ({@code /a/:id/b}, or ending in {@code *}) against a request path. */
    static boolean pathMatches(String pattern, String path) {
        if (pattern.endsWith("*")) return path.startsWith(pattern.substring(0, pattern.length() - 1));
        String[] want = pattern.split("/", -1);
        String[] got = path.split("/", -1);
        if (want.length != got.length) return false;
        for (int i = 0; i < want.length; i++) {
            boolean param = want[i].startsWith(":") && !got[i].isEmpty();
            if (!param && !want[i].equals(got[i])) return false;
        }
        return true;
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (ctx.response().ended() || ctx.response().headWritten()) {
            return;
        }
        HttpServerRequest request = ctx.request();
        int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
        String type = request.getHeader("Content-Type");
        String message;
        if (status == 413) {
            message = "request body too large: at most " + maxBodySize + " bytes are accepted";
        } else if (status < 500 && !JsonBody.isJson(type)) {
            // the server could not even parse the body (a large form): the caller's mistake is the content type
            status = 415;
            message = JsonBody.unsupportedType(type, JsonBody.JSON_HINT);
        } else if (status < 500) {
            message = "the request could not be read";
        } else {
            LOG.error("HTTP request failed before reaching a route: {} {}", request.method(), request.path(), ctx.failure());
            message = "internal error; see the server log";
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(Json.error(message));
        if (status < 500) {
            String detail = request.method() + " " + request.path() + ": " + message;
            String source = client(request);
            String outcome = ApiErrors.outcome(status);
            ctx.vertx().executeBlocking(() -> {
                RefusalLimiter refusals = registry.lookupByNameAndType("refusalLimiter", RefusalLimiter.class);
                if (refusals != null) {
                    refusals.refused(source, AuditEvent.of("anonymous", "http.refused", outcome).source(source)
                            .detail(detail));
                }
                return null;
            }, false).onFailure(e -> LOG.warn("could not audit a refused request: {}", e.getMessage()));
        }
    }

    /** The client as the routes see it (see {@link dev.greenlight.http.RemoteAddress}). */
    private String client(HttpServerRequest request) {
        String peer = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
        TrustedProxies proxies = registry.lookupByNameAndType(TrustedProxies.BEAN, TrustedProxies.class);
        if (proxies == null || peer == null) return peer;
        return proxies.client(peer, request.headers().getAll(proxies.header().headerName()));
    }
}
