package dev.greenlight.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;

/**
 * The app the demo deploys, run by the demo hosts' commands as a process of its own:
 * {@code java -cp greenlight.jar dev.greenlight.demo.DemoApp --name blue --host 127.0.0.2 --port 41234
 * --version 1.1.0 --parent <pid> --ready <host directory>/blue.ready}. It serves the health paths of the demo configuration and its
 * version. A version ending in {@code -bad} is healthy on every path, so it passes the checks before the switch,
 * but the error count it reports at {@code /health/errors} climbs by 5 every second: the watch after the switch
 * sees it and rolls the release back. It exits when the Greenlight process that started the demo ends, so a demo
 * stopped by any means leaves no app behind.
 */
public final class DemoApp {
    static final String BAD_SUFFIX = "-bad";
    static final Set<String> PATHS = Set.of("/health", "/health/db", "/api/v1/health", "/api/v1/auth/status",
            "/api/v1/stats", "/version");
    private static final int ERRORS_PER_SECOND = 5;

    private final String name;
    private final String version;
    private final long startedAt = System.nanoTime();

    private DemoApp(String name, String version) {
        this.name = name;
        this.version = version;
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> options = options(args);
        ProcessHandle parent = ProcessHandle.of(Long.parseLong(options.get("parent")))
                .orElseThrow(() -> new IllegalStateException("the demo's Greenlight process has ended"));
        parent.onExit().thenRun(() -> System.exit(0));
        DemoApp app = new DemoApp(options.get("name"), options.get("version"));
        HttpServer server = HttpServer.create(new InetSocketAddress(options.get("host"),
                Integer.parseInt(options.get("port"))), 50);
        server.createContext("/", app::answer);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        Files.writeString(Path.of(options.get("ready")), ProcessHandle.current().pid() + "\n");
    }

    /** {@code --key value} pairs; every one of the launch's keys is required. */
    static Map<String, String> options(String[] args) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) throw new IllegalArgumentException("not an option: " + args[i]);
            out.put(args[i].substring(2), args[i + 1]);
        }
        for (String key : new String[] {"name", "host", "port", "version", "parent", "ready"}) {
            if (!out.containsKey(key)) throw new IllegalArgumentException("--" + key + " is required");
        }
        return out;
    }

    private void answer(HttpExchange exchange) throws IOException {
        try {
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/health/errors")) {
                send(exchange, 200, "application/json", "{\"errors\":" + errors() + "}");
            } else if (PATHS.contains(path)) {
                send(exchange, 200, "application/json", "{\"status\":\"ok\",\"version\":\"" + version
                        + "\",\"name\":\"" + name + "\"}");
            } else if (path.equals("/")) {
                send(exchange, 200, "text/plain; charset=utf-8", "Greenlight demo app " + version + " (" + name
                        + ")\n");
            } else {
                send(exchange, 404, "application/json", "{\"error\":\"not found\"}");
            }
        } finally {
            exchange.close();
        }
    }

    /** The errors this copy has counted since it started: none, unless its version is a broken one. */
    long errors() {
        if (!version.endsWith(BAD_SUFFIX)) return 0;
        return ERRORS_PER_SECOND * ((System.nanoTime() - startedAt) / 1_000_000_000L);
    }

    private static void send(HttpExchange exchange, int status, String type, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }
}
