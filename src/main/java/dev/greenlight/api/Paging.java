package dev.greenlight.api;

import dev.greenlight.http.ApiError;
import dev.greenlight.http.Json;
import dev.greenlight.store.Page;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.apache.camel.Exchange;

/**
 * The paging of the newest-first lists (deployments, audit entries, notifications): {@code limit} rows at most, and
 * {@code before}, the {@code nextBefore} of the page before, for the rows after it. Ids only grow, so paging back
 * through a list that new rows keep joining at its head repeats no row and skips none.
 */
final class Paging {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;

    private Paging() {
    }

    /** The page a request asks for; 400 for a limit outside 1–500 or a {@code before} that is not an id. */
    static Page page(Exchange exchange) {
        return new Page(before(exchange), limit(exchange));
    }

    /**
     * The answer {@code {"<name>": rows}}, with {@code nextBefore} (the last row's id) when the page is full, so that
     * more rows may follow; without it the list has ended.
     */
    static <T> String reply(String name, List<T> rows, Page page, ToLongFunction<T> id) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put(name, rows);
        Long next = rows.isEmpty() ? null : page.nextBefore(rows.size(), id.applyAsLong(rows.get(rows.size() - 1)));
        if (next != null) answer.put("nextBefore", next);
        return Json.write(answer);
    }

    private static int limit(Exchange exchange) {
        Long limit = number(exchange, "limit", MAX_LIMIT, "limit must be a number from 1 to " + MAX_LIMIT);
        return limit == null ? DEFAULT_LIMIT : limit.intValue();
    }

    private static Long before(Exchange exchange) {
        return number(exchange, "before", Long.MAX_VALUE,
                "before must be an id (a whole number from 1), the nextBefore of the page before");
    }

    /** The whole number from 1 to {@code max} in query parameter {@code name}; null when absent; 400 otherwise. */
    private static Long number(Exchange exchange, String name, long max, String refusal) {
        String raw = DeploymentApi.query(exchange, name);
        if (raw == null) return null;
        try {
            long n = Long.parseLong(raw);
            if (n >= 1 && n <= max) return n;
        } catch (NumberFormatException ignored) {
            // fall through to the refusal
        }
        throw ApiError.badRequest(refusal);
    }
}
