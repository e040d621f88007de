package dev.greenlight.intake;

import static dev.greenlight.testing.GithubDelivery.MAPPER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.greenlight.testing.GithubDelivery;
import dev.greenlight.testing.LogCapture;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestConfig;
import dev.greenlight.testing.TestDatabase;
import dev.greenlight.testing.TestGreenlight;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generated hostile deliveries against one running service: mutations of GitHub's published payloads (every field
 * the parser reads set to every JSON type, or removed), wrong and missing signatures, replayed delivery ids,
 * truncated, deeply nested, huge and non-UTF-8 bodies, both content types and broken forms, odd headers. Signed cases
 * are signed correctly over the bytes sent, so they reach the parser. Every case is built from its own
 * {@code Random(seed, index)}: the seed is printed and {@code -Dfuzz.seed=…} replays a run.
 *
 * <p>Checked: no answer is a 5xx and every answer is a JSON body; an unsigned case is refused (401, or 413 for a
 * body over the limit) and leaves no delivery and no deployment; every stored delivery has its answer, and a 202's
 * deployments are exactly the rows that delivery queued; the log holds no stack trace and no ERROR; the heap after
 * the run, after a collection, is within a bound of the heap after the warm-up.
 */
class WebhookFuzzTest {
    static final int CASES = 10_000;
    static final int WARM_UP = 500;
    static final int MAX_BODY = 64 * 1024;
    static final long HEAP_BOUND = 64L * 1024 * 1024;
    static final int WORKERS = 4;
    static final Pattern STACK_FRAME = Pattern.compile("(?m)^\\s+at [\\w$.]+\\(|^Caused by: ");
    static final Pattern ERROR_LINE = Pattern.compile("(?m)^\\S+ ERROR ");

    /** Paths of every field {@link GithubEventParser} reads, and the objects that hold them. */
    static final List<String> READ_PATHS = List.of("repository", "repository.full_name", "repository.name",
            "repository.owner", "repository.owner.login", "repository.owner.name", "sender", "sender.login",
            "action", "ref", "after", "deleted", "head_commit", "head_commit.id", "head_commit.timestamp",
            "release", "release.tag_name", "release.prerelease", "release.draft");

    static final List<String> HOSTILE = List.of("main", "refs/heads/main", "refs/tags/v1.0.0", "acme/shop",
            "ACME/SHOP", "published", "prereleased", "true", "false", "0000000000000000000000000000000000000000",
            "6113728f27ae82c7b1a177c8d03f9e96e0adf246", "2019-05-15T15:19:25-05:00", "not a time",
            "v1;touch /tmp/pwned", "$(id)", "`id`", "a\nb", "--help", "-oProxyCommand=sh", "'", "\"", "\\",
            "\u0000", "\u202emain", "mаin", "ｍａｉｎ", "refs/heads/", "refs/tags/", "", " ", "%00", "\uFEFF",
            "\uD83D\uDE80", "<script>alert(1)</script>", "null", "{}", "[]");

    static final List<String> FIXTURES = List.of("push.branch-created.json", "push.tag-deleted.json",
            "release.published.json", "release.prereleased.json", "ping.json", "create.tag.json");

    @TempDir
    Path dir;

    /** What was sent and what came back. */
    record Outcome(int index, String kind, boolean signed, String deliveryId, int status, String body) {
    }

    /** A generated delivery: raw body, headers, whether it carries a correct signature. */
    record Case(String kind, byte[] body, Map<String, String> headers, boolean signed, String deliveryId) {
    }

    @Test
    void hostileDeliveriesGetNo5xxNoStackTraceNoUnsignedDeploymentAndBoundedMemory() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        System.out.println("WebhookFuzzTest: " + CASES + " cases, seed " + seed + " (replay with -Dfuzz.seed=" + seed + ")");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        try (LogCapture log = new LogCapture();
             TestDatabase db = TestDatabase.create();
             TestGreenlight app = TestGreenlight.start(TestConfig.write(dir), db, TestConfig.environment(),
                     Map.of("camel.server.maxBodySize", String.valueOf(MAX_BODY),
                             "greenlight.dispatch.period", "3600000"))) {
            app.stopBackgroundRoutes();
            URI uri = app.uri("/webhooks/github");
            List<Outcome> outcomes = new ArrayList<>(send(http, uri, seed, 0, WARM_UP));
            long heapAfterWarmUp = usedHeapAfterGc();
            long sendStart = System.nanoTime();
            outcomes.addAll(send(http, uri, seed, WARM_UP, CASES));
            System.out.println("WebhookFuzzTest: " + (CASES - WARM_UP) + " cases sent in "
                    + (System.nanoTime() - sendStart) / 1_000_000 + " ms");
            long heapAfterRun = usedHeapAfterGc();

            Map<String, Integer> byKind = new TreeMap<>();
            Map<Integer, Integer> byStatus = new TreeMap<>();
            for (Outcome o : outcomes) {
                byKind.merge(o.kind(), 1, Integer::sum);
                byStatus.merge(o.status(), 1, Integer::sum);
            }
            System.out.println("WebhookFuzzTest: cases by kind " + byKind + ", answers by status " + byStatus
                    + ", heap " + heapAfterWarmUp / 1024 + " KB after warm-up, " + heapAfterRun / 1024 + " KB after");

            assertThat(outcomes).hasSize(CASES);
            for (Outcome o : outcomes) {
                String what = "case " + o.index() + " (" + o.kind() + ", seed " + seed + "): " + o.status() + " " + o.body();
                assertThat(o.status()).as(what).isBetween(200, 499);
                JsonNode answer = MAPPER.readTree(o.body());
                if (o.status() >= 400) assertThat(answer.path("error").isTextual()).as(what).isTrue();
                if (!o.signed()) assertThat(o.status()).as(what).isIn(401, 413);
            }
            assertThat(byStatus).containsKeys(200, 202, 400, 401, 413, 415, 422);

            Set<String> unsigned = new HashSet<>();
            outcomes.stream().filter(o -> !o.signed() && o.deliveryId() != null).forEach(o -> unsigned.add(o.deliveryId()));
            List<Map<String, Object>> deliveries = Sql.rows(db,
                    "select delivery_id, response_status, response_body from webhook_deliveries");
            Map<String, Integer> queuedBy = new HashMap<>();
            for (Map<String, Object> row : Sql.rows(db, "select delivery_id, count(*) n from deployments group by delivery_id")) {
                queuedBy.put((String) row.get("delivery_id"), ((Number) row.get("n")).intValue());
            }
            for (Map<String, Object> d : deliveries) {
                String id = (String) d.get("delivery_id");
                assertThat(unsigned).as("stored delivery %s was not signed", id).doesNotContain(id);
                assertThat(d.get("response_status")).as("delivery %s has no answer", id).isNotNull();
                int expected = ((Number) d.get("response_status")).intValue() == 202
                        ? MAPPER.readTree((String) d.get("response_body")).path("deployments").size() : 0;
                assertThat(queuedBy.getOrDefault(id, 0)).as("deployments of delivery %s", id).isEqualTo(expected);
            }
            Set<String> stored = new HashSet<>();
            deliveries.forEach(d -> stored.add((String) d.get("delivery_id")));
            assertThat(stored).as("every deployment comes from a stored delivery").containsAll(queuedBy.keySet());
            assertThat(queuedBy.values().stream().mapToInt(Integer::intValue).sum()).as("deployments queued")
                    .isPositive().isEqualTo(Sql.count(db, "select count(*) from deployments"));

            String text = log.text();
            assertThat(STACK_FRAME.matcher(text).find()).as("a stack trace in the log:\n%s", excerpt(text, STACK_FRAME)).isFalse();
            assertThat(ERROR_LINE.matcher(text).find()).as("an ERROR in the log:\n%s", excerpt(text, ERROR_LINE)).isFalse();
            assertThat(heapAfterRun - heapAfterWarmUp).as("heap growth in bytes").isLessThan(HEAP_BOUND);
        }
    }

    private static List<Outcome> send(HttpClient http, URI uri, long seed, int from, int to) throws Exception {
        ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
        try {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (int i = from; i < to; i++) {
                int index = i;
                futures.add(workers.submit(() -> send(http, uri, index, generate(seed, index))));
            }
            List<Outcome> out = new ArrayList<>();
            for (Future<Outcome> f : futures) out.add(f.get());
            return out;
        } finally {
            workers.shutdownNow();
        }
    }

    private static Outcome send(HttpClient http, URI uri, int index, Case c) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(c.body()));
        c.headers().forEach(b::header);
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Outcome(index, c.kind(), c.signed(), c.deliveryId(), r.statusCode(), r.body());
    }

    // ---- generating cases ----------------------------------------------------------------------------------

    static Case generate(long seed, int index) {
        Random rnd = new Random(seed * 1_000_003L + index);
        String id = "fuzz-" + index + "-" + Long.toHexString(seed);
        int pick = rnd.nextInt(100);
        if (pick < 40) return signed("field-types", mutatedFields(rnd), rnd, id);
        // never a replay's target: replays reuse the ids of earlier signed cases
        if (pick < 52) return unsigned(rnd, "unsigned-" + index + "-" + Long.toHexString(seed));
        if (pick < 58) return signed("replay", mutatedFields(rnd), rnd, "fuzz-" + rnd.nextInt(index + 1) + "-" + Long.toHexString(seed));
        if (pick < 64) return signed("truncated", truncated(rnd), rnd, id);
        if (pick < 70) return signed("nested", nested(rnd), rnd, id);
        if (pick < 74) return signed("huge", huge(rnd), rnd, id);
        if (pick < 82) return signed("not-utf8", notUtf8(rnd), rnd, id);
        if (pick < 88) return signed("byte-flips", byteFlips(rnd), rnd, id);
        if (pick < 94) return brokenForm(rnd, id);
        return oddHeaders(rnd, id);
    }

    /** A fixture with its event, pointed at the configured repository most of the time. */
    static Map.Entry<String, ObjectNode> fixture(Random rnd) {
        String name = FIXTURES.get(rnd.nextInt(FIXTURES.size()));
        ObjectNode payload = GithubDelivery.fixture(name);
        if (rnd.nextInt(4) > 0 && payload.get("repository") instanceof ObjectNode repo) {
            repo.put("full_name", TestConfig.REPOSITORY);
        }
        if (name.startsWith("push.branch") && rnd.nextBoolean()) payload.put("ref", "refs/heads/" + TestConfig.BRANCH);
        String event = name.substring(0, name.indexOf('.'));
        return Map.entry(event, payload);
    }

    static Map.Entry<String, byte[]> mutatedFields(Random rnd) {
        Map.Entry<String, ObjectNode> f = fixture(rnd);
        int mutations = 1 + rnd.nextInt(3);
        for (int i = 0; i < mutations; i++) {
            String path = READ_PATHS.get(rnd.nextInt(READ_PATHS.size()));
            if (rnd.nextInt(8) == 0) remove(f.getValue(), path);
            else set(f.getValue(), path, value(rnd));
        }
        return Map.entry(f.getKey(), GithubDelivery.bytes(f.getValue()));
    }

    static JsonNode value(Random rnd) {
        JsonNodeFactory n = JsonNodeFactory.instance;
        return switch (rnd.nextInt(9)) {
            case 0 -> n.textNode(HOSTILE.get(rnd.nextInt(HOSTILE.size())));
            case 1 -> n.textNode(randomString(rnd, rnd.nextInt(8) == 0 ? 2000 + rnd.nextInt(10_000) : rnd.nextInt(200)));
            case 2 -> switch (rnd.nextInt(4)) {
                case 0 -> n.numberNode(rnd.nextLong());
                case 1 -> n.numberNode(rnd.nextDouble() * 1e300);
                case 2 -> n.numberNode(new BigInteger(2000, rnd));
                default -> n.numberNode(0);
            };
            case 3 -> n.objectNode().put("login", HOSTILE.get(rnd.nextInt(HOSTILE.size()))).put("id", rnd.nextInt());
            case 4 -> {
                ArrayNode a = n.arrayNode();
                for (int i = rnd.nextInt(4); i > 0; i--) a.add(HOSTILE.get(rnd.nextInt(HOSTILE.size())));
                yield a;
            }
            case 5 -> n.nullNode();
            case 6 -> n.booleanNode(rnd.nextBoolean());
            case 7 -> n.textNode("refs/heads/" + HOSTILE.get(rnd.nextInt(HOSTILE.size())));
            default -> n.textNode(randomString(rnd, MAX_BODY / 4));
        };
    }

    static String randomString(Random rnd, int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            int kind = rnd.nextInt(10);
            // mostly printable ASCII, some control characters, BMP and astral code points
            if (kind < 6) s.append((char) (32 + rnd.nextInt(95)));
            else if (kind < 7) s.append((char) rnd.nextInt(32));
            else if (kind < 9) s.append((char) (0xA0 + rnd.nextInt(0xD000)));
            else s.appendCodePoint(0x10000 + rnd.nextInt(0xFFFF));
        }
        return s.toString();
    }

    static void set(ObjectNode root, String path, JsonNode value) {
        String[] parts = path.split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            node = node.get(parts[i]) instanceof ObjectNode child ? child : node.putObject(parts[i]);
        }
        node.set(parts[parts.length - 1], value);
    }

    static void remove(ObjectNode root, String path) {
        String[] parts = path.split("\\.");
        JsonNode node = root;
        for (int i = 0; i < parts.length - 1 && node != null; i++) node = node.get(parts[i]);
        if (node instanceof ObjectNode o) o.remove(parts[parts.length - 1]);
    }

    static Map.Entry<String, byte[]> truncated(Random rnd) {
        Map.Entry<String, byte[]> f = mutatedFields(rnd);
        byte[] body = f.getValue();
        return Map.entry(f.getKey(), java.util.Arrays.copyOf(body, rnd.nextInt(body.length)));
    }

    static Map.Entry<String, byte[]> nested(Random rnd) {
        int depth = switch (rnd.nextInt(3)) {
            case 0 -> 900 + rnd.nextInt(200); // around the parser's depth limit
            case 1 -> 2_000 + rnd.nextInt(5_000);
            default -> 5_000 + rnd.nextInt(5_000); // within the size limit as objects too
        };
        String field = READ_PATHS.get(rnd.nextInt(READ_PATHS.size())).replace('.', '_');
        boolean arrays = rnd.nextBoolean();
        StringBuilder s = new StringBuilder("{\"ref\":\"refs/heads/main\",\"repository\":{\"full_name\":\"acme/shop\"},\"")
                .append(field).append("\":");
        for (int i = 0; i < depth; i++) s.append(arrays ? "[" : "{\"a\":");
        s.append('1');
        for (int i = 0; i < depth; i++) s.append(arrays ? ']' : '}');
        s.append('}');
        return Map.entry(rnd.nextBoolean() ? "push" : "release", s.toString().getBytes(StandardCharsets.UTF_8));
    }

    static Map.Entry<String, byte[]> huge(Random rnd) {
        if (rnd.nextBoolean()) {
            // over the limit: refused while it is read
            byte[] body = new byte[MAX_BODY + 1 + rnd.nextInt(MAX_BODY)];
            java.util.Arrays.fill(body, (byte) ' ');
            body[0] = '{';
            body[body.length - 1] = '}';
            return Map.entry("push", body);
        }
        // just under it: a valid push padded with one big field the parser skips, or a big field it reads
        Map.Entry<String, ObjectNode> f = fixture(rnd);
        String key = rnd.nextBoolean() ? "padding" : READ_PATHS.get(rnd.nextInt(READ_PATHS.size()));
        set(f.getValue(), key, JsonNodeFactory.instance.textNode("x".repeat(MAX_BODY - 12_000 - rnd.nextInt(1000))));
        return Map.entry(f.getKey(), GithubDelivery.bytes(f.getValue()));
    }

    static final byte[][] INVALID_UTF8 = {{(byte) 0xC3, 0x28}, {(byte) 0xFF}, {(byte) 0xFE, (byte) 0xFF},
            {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80},
            {(byte) 0x80}, {(byte) 0xE2, (byte) 0x82}};

    /** Invalid UTF-8 sequences inside string values (after a quote) or anywhere. */
    static Map.Entry<String, byte[]> notUtf8(Random rnd) {
        Map.Entry<String, byte[]> f = mutatedFields(rnd);
        byte[] body = f.getValue();
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 16);
        int inserts = 1 + rnd.nextInt(3);
        for (int i = 0; i < body.length; i++) {
            out.write(body[i]);
            boolean here = rnd.nextInt(Math.max(1, body.length / inserts)) == 0;
            if (here && (body[i] == '"' || rnd.nextInt(4) == 0)) {
                out.writeBytes(INVALID_UTF8[rnd.nextInt(INVALID_UTF8.length)]);
            }
        }
        if (rnd.nextInt(4) == 0) {
            // GitHub's value with the Latin-1 bytes of an accented branch name
            byte[] latin = "{\"ref\":\"refs/heads/mä\",\"repository\":{\"full_name\":\"acme/shop\"}}".getBytes(StandardCharsets.ISO_8859_1);
            return Map.entry("push", latin);
        }
        return Map.entry(f.getKey(), out.toByteArray());
    }

    static Map.Entry<String, byte[]> byteFlips(Random rnd) {
        Map.Entry<String, byte[]> f = mutatedFields(rnd);
        byte[] body = f.getValue();
        for (int i = 1 + rnd.nextInt(5); i > 0; i--) body[rnd.nextInt(body.length)] = (byte) rnd.nextInt(256);
        if (rnd.nextInt(5) == 0) {
            byte[] trailing = "}{\"x\":1}".getBytes(StandardCharsets.US_ASCII);
            byte[] longer = java.util.Arrays.copyOf(body, body.length + trailing.length);
            System.arraycopy(trailing, 0, longer, body.length, trailing.length);
            body = longer;
        }
        return Map.entry(f.getKey(), body);
    }

    /** Correctly signed, then sent as JSON or as GitHub's form. */
    static Case signed(String kind, Map.Entry<String, byte[]> event, Random rnd, String deliveryId) {
        boolean form = rnd.nextInt(3) == 0;
        byte[] body = form ? formOf(event.getValue()) : event.getValue();
        Map<String, String> headers = headers(event.getKey(), deliveryId, form ? formType(rnd) : jsonType(rnd));
        headers.put("X-Hub-Signature-256", GithubDelivery.sign(secret(), body));
        return new Case(kind + (form ? "/form" : "/json"), body, headers, true, deliveryId);
    }

    /** A push that would deploy, with a signature that is missing, for another secret, another body or malformed. */
    static Case unsigned(Random rnd, String deliveryId) {
        ObjectNode push = GithubDelivery.push(TestConfig.REPOSITORY, TestConfig.BRANCH);
        byte[] body = GithubDelivery.bytes(push);
        boolean form = rnd.nextBoolean();
        if (form) body = formOf(body);
        Map<String, String> headers = headers("push", deliveryId, form ? formType(rnd) : jsonType(rnd));
        String good = GithubDelivery.sign(secret(), body);
        String signature = switch (rnd.nextInt(9)) {
            case 0 -> null;
            case 1 -> GithubDelivery.sign("another-secret".getBytes(StandardCharsets.UTF_8), body);
            case 2 -> GithubDelivery.sign(secret(), java.util.Arrays.copyOf(body, body.length - 1));
            case 3 -> "sha1=" + good.substring(7, 47);
            case 4 -> good.substring(0, good.length() - 1);
            case 5 -> good + "0";
            case 6 -> "sha256=" + "g".repeat(64);
            case 7 -> "SHA256=" + good.substring(7);
            default -> "";
        };
        if (signature != null) headers.put("X-Hub-Signature-256", signature);
        if (rnd.nextInt(10) == 0) headers.put("X-Hub-Signature", "sha1=" + good.substring(7, 47));
        if (rnd.nextInt(10) == 0) {
            // a huge unsigned body: refused for its size before anything else
            body = java.util.Arrays.copyOf(body, MAX_BODY + 10);
        }
        return new Case("unsigned", body, headers, false, deliveryId);
    }

    /** Forms GitHub never sends, correctly signed. */
    static Case brokenForm(Random rnd, String deliveryId) {
        byte[] json = GithubDelivery.bytes(GithubDelivery.push(TestConfig.REPOSITORY, TestConfig.BRANCH));
        String encoded = new String(formOf(json), StandardCharsets.US_ASCII);
        String body = switch (rnd.nextInt(7)) {
            case 0 -> encoded + "&extra=1";
            case 1 -> "extra=1&" + encoded;
            case 2 -> encoded.substring("payload=".length());
            case 3 -> encoded.substring(0, encoded.length() - 1 - rnd.nextInt(3)) + "%";
            case 4 -> encoded.replaceFirst("%22", "%G2");
            case 5 -> "payload=";
            default -> "payload=" + "%7B".repeat(rnd.nextInt(3000));
        };
        byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
        Map<String, String> headers = headers("push", deliveryId, formType(rnd));
        headers.put("X-Hub-Signature-256", GithubDelivery.sign(secret(), bytes));
        return new Case("broken-form", bytes, headers, true, deliveryId);
    }

    /** Missing, long or odd headers around a correctly signed push. */
    static Case oddHeaders(Random rnd, String deliveryId) {
        byte[] body = GithubDelivery.bytes(GithubDelivery.push(TestConfig.REPOSITORY, TestConfig.BRANCH));
        Map<String, String> headers = headers("push", deliveryId, "application/json");
        String id = deliveryId;
        switch (rnd.nextInt(8)) {
            case 0 -> { headers.remove("X-GitHub-Delivery"); id = null; }
            case 1 -> { id = "d".repeat(101); headers.put("X-GitHub-Delivery", id); }
            case 2 -> headers.remove("X-GitHub-Event");
            case 3 -> headers.put("X-GitHub-Event", "e".repeat(65));
            case 4 -> headers.put("X-GitHub-Event", HOSTILE.get(rnd.nextInt(HOSTILE.size())).replaceAll("[^ -~]", "x"));
            case 5 -> headers.put("Content-Type", List.of("text/plain", "multipart/form-data; boundary=x",
                    "application/jsonx", "application/xml", ";", "application/json;;;charset=").get(rnd.nextInt(6)));
            case 6 -> headers.remove("Content-Type");
            default -> headers.put("X-GitHub-Delivery", " ");
        }
        headers.put("X-Hub-Signature-256", GithubDelivery.sign(secret(), body));
        return new Case("odd-headers", body, headers, true, id);
    }

    static Map<String, String> headers(String event, String deliveryId, String contentType) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("X-GitHub-Event", event);
        h.put("X-GitHub-Delivery", deliveryId);
        h.put("User-Agent", "GitHub-Hookshot/fuzz");
        if (contentType != null) h.put("Content-Type", contentType);
        return h;
    }

    static String jsonType(Random rnd) {
        return List.of("application/json", "application/json; charset=utf-8", "Application/JSON").get(rnd.nextInt(3));
    }

    static String formType(Random rnd) {
        return List.of("application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=UTF-8")
                .get(rnd.nextInt(2));
    }

    /** {@code payload=} and the percent-encoded bytes as they are (not re-encoded as text: invalid UTF-8 stays). */
    static byte[] formOf(byte[] json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(json.length * 2);
        out.writeBytes("payload=".getBytes(StandardCharsets.US_ASCII));
        for (byte b : json) {
            int c = b & 0xFF;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.') {
                out.write(c);
            } else if (c == ' ') {
                out.write('+');
            } else {
                out.writeBytes(String.format("%%%02X", c).getBytes(StandardCharsets.US_ASCII));
            }
        }
        return out.toByteArray();
    }

    static byte[] secret() {
        return TestConfig.WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8);
    }

    static long usedHeapAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }

    static String excerpt(String log, Pattern pattern) {
        var m = pattern.matcher(log);
        if (!m.find()) return "";
        int from = Math.max(0, log.lastIndexOf('\n', Math.max(0, m.start() - 2000)));
        return log.substring(from, Math.min(log.length(), m.end() + 2000));
    }
}
