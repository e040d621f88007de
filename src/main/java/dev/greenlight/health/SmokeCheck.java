package dev.greenlight.health;

/** One {@code smoke:} entry: a request and what its answer must look like. */
public record SmokeCheck(String name, String method, String path, String body, int status, String bodyContains) {
}
