package dev.greenlight.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One challenge of a {@code WWW-Authenticate} header, e.g. {@code Bearer realm="…",service="…",scope="…"}.
 * Parameter names are lower-cased; quoted values may contain commas (a scope such as
 * {@code repository:a/b:pull,push}).
 */
record AuthChallenge(String scheme, Map<String, String> params) {

    String param(String name) {
        return params.get(name.toLowerCase(Locale.ROOT));
    }

    boolean is(String otherScheme) {
        return scheme.equalsIgnoreCase(otherScheme);
    }

    static List<AuthChallenge> parse(List<String> headerValues) {
        List<AuthChallenge> challenges = new ArrayList<>();
        for (String value : headerValues) {
            parseInto(value, challenges);
        }
        return challenges;
    }

    private static void parseInto(String header, List<AuthChallenge> out) {
        String scheme = null;
        Map<String, String> params = new LinkedHashMap<>();
        int i = 0;
        int n = header.length();
        while (i < n) {
            char c = header.charAt(i);
            if (c == ',' || Character.isWhitespace(c)) {
                i++;
                continue;
            }
            int start = i;
            while (i < n && isTokenChar(header.charAt(i))) {
                i++;
            }
            if (i == start) {
                i++; // a stray character; skip it rather than fail on a sloppy header
                continue;
            }
            String token = header.substring(start, i);
            int next = skipSpaces(header, i);
            if (next < n && header.charAt(next) == '=' && scheme != null) {
                i = skipSpaces(header, next + 1);
                StringBuilder value = new StringBuilder();
                if (i < n && header.charAt(i) == '"') {
                    i++;
                    while (i < n && header.charAt(i) != '"') {
                        if (header.charAt(i) == '\\' && i + 1 < n) {
                            i++;
                        }
                        value.append(header.charAt(i++));
                    }
                    i++; // closing quote
                } else {
                    while (i < n && header.charAt(i) != ',' && !Character.isWhitespace(header.charAt(i))) {
                        value.append(header.charAt(i++));
                    }
                }
                params.put(token.toLowerCase(Locale.ROOT), value.toString());
            } else {
                if (scheme != null) {
                    out.add(new AuthChallenge(scheme, Map.copyOf(params)));
                }
                scheme = token;
                params = new LinkedHashMap<>();
            }
        }
        if (scheme != null) {
            out.add(new AuthChallenge(scheme, Map.copyOf(params)));
        }
    }

    private static int skipSpaces(String s, int i) {
        while (i < s.length() && s.charAt(i) == ' ') {
            i++;
        }
        return i;
    }

    private static boolean isTokenChar(char c) {
        return Character.isLetterOrDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
}
