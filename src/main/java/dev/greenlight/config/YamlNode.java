package dev.greenlight.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** A value read from greenlight.yaml together with its key path, so every error can say where it is. */
final class YamlNode {
    private final String file;
    private final String path;
    private final Object value;

    YamlNode(String file, String path, Object value) {
        this.file = file;
        this.path = path;
        this.value = value;
    }

    String file() {
        return file;
    }

    String path() {
        return path;
    }

    Object raw() {
        return value;
    }

    ConfigException error(String problem) {
        return ConfigException.at(file, path, problem);
    }

    ConfigException error(String key, String problem) {
        return ConfigException.at(file, child(key), problem);
    }

    private String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    boolean isMap() {
        return value instanceof Map;
    }

    /** This node as a map whose keys must all be among {@code allowed}. */
    Map<String, Object> map(String... allowed) {
        Map<String, Object> map = anyMap();
        Set<String> known = new LinkedHashSet<>(Arrays.asList(allowed));
        for (String key : map.keySet()) {
            if (!known.contains(key)) {
                throw error(key, "unknown key (expected one of: " + String.join(", ", known) + ")");
            }
        }
        return map;
    }

    /** This node as a map with free keys (names of apps, environments, notifications). */
    Map<String, Object> anyMap() {
        if (!(value instanceof Map<?, ?> m)) {
            throw error("must be a mapping, got " + describe(value));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    YamlNode get(String key) {
        Object v = isMap() ? ((Map<?, ?>) value).get(key) : null;
        return new YamlNode(file, child(key), v);
    }

    boolean has(String key) {
        return isMap() && ((Map<?, ?>) value).get(key) != null;
    }

    List<YamlNode> list() {
        if (value == null) return List.of();
        if (!(value instanceof List<?> l)) {
            throw error("must be a list, got " + describe(value));
        }
        List<YamlNode> out = new ArrayList<>();
        for (int i = 0; i < l.size(); i++) {
            out.add(new YamlNode(file, path + "[" + i + "]", l.get(i)));
        }
        return out;
    }

    List<String> stringList() {
        return list().stream().map(YamlNode::requiredString).toList();
    }

    String requiredString() {
        if (value == null) throw error("is required");
        if (value instanceof Map || value instanceof List) {
            throw error("must be a single value, got " + describe(value));
        }
        String s = String.valueOf(value).trim();
        if (s.isEmpty()) throw error("must not be empty");
        return s;
    }

    String string(String key) {
        return get(key).optionalString().orElseThrow(() -> error(key, "is required"));
    }

    Optional<String> optionalString() {
        return value == null ? Optional.empty() : Optional.of(requiredString());
    }

    String string(String key, String fallback) {
        return get(key).optionalString().orElse(fallback);
    }

    int integer(String key, int fallback, int min, int max) {
        YamlNode n = get(key);
        if (n.value == null) return fallback;
        try {
            int v = Integer.parseInt(n.requiredString());
            if (v < min || v > max) throw n.error("must be between " + min + " and " + max + ", got " + v);
            return v;
        } catch (NumberFormatException e) {
            throw n.error("must be a whole number, got " + describe(n.value));
        }
    }

    <T> T parsed(String key, String fallback, Function<String, Optional<T>> parser, String expectation) {
        YamlNode n = get(key);
        String text = n.optionalString().orElse(fallback);
        return parser.apply(text).orElseThrow(() -> n.error("\"" + text + "\" " + expectation));
    }

    static String describe(Object v) {
        if (v == null) return "nothing";
        if (v instanceof Map) return "a mapping";
        if (v instanceof List) return "a list";
        return "\"" + v + "\"";
    }
}
