package dev.greenlight.config;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A command or URL with {@code {{name}}} placeholders. Only a plain lower-case name in double braces is a
 * placeholder; anything else in braces (docker's {@code {{.State.Health.Status}}}) passes through untouched, and so
 * do the bare keywords of Go templates ({@code {{else}}}, {@code {{end}}}), which docker format strings use.
 */
public final class Template {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-z][a-z0-9_]*)}}");

    /** Go template keywords that stand alone in braces: never placeholders, left for docker to read. */
    private static final Set<String> GO_TEMPLATE_KEYWORDS = Set.of("else", "end", "break", "continue");

    /** Names a remote command may use. */
    public static final Set<String> COMMAND_NAMES = Set.of(
            "version", "previous_version", "sha", "sha7", "host", "app", "environment", "deployment");
    /** Names a remote command of a blue-green environment may use: the colour acted on, its port, the other colour. */
    public static final Set<String> BLUE_GREEN_COMMAND_NAMES = Set.of(
            "version", "previous_version", "sha", "sha7", "host", "app", "environment", "deployment",
            "color", "port", "previous_color", "backup");
    /** Names a health URL may use. */
    public static final Set<String> URL_NAMES = Set.of("host", "app", "environment");
    /** Names a health URL of a blue-green environment may use: the colour checked and its port. */
    public static final Set<String> BLUE_GREEN_URL_NAMES = Set.of("host", "app", "environment", "color", "port");
    /** Names the version of a push or a GitHub deployment may be built from ({@code ref}: its branch or tag name). */
    public static final Set<String> VERSION_NAMES = Set.of("sha", "sha7", "ref");

    private final String text;
    private final Set<String> names;

    private Template(String text, Set<String> names) {
        this.text = text;
        this.names = names;
    }

    /** Parses {@code text}; an unknown placeholder is an error naming it and the allowed ones. */
    public static Template parse(String text, Set<String> allowed) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            String name = m.group(1);
            if (GO_TEMPLATE_KEYWORDS.contains(name) && !allowed.contains(name)) continue;
            if (!allowed.contains(name)) {
                throw new IllegalArgumentException("unknown placeholder {{" + name + "}} (allowed: "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
            names.add(name);
        }
        return new Template(text, Set.copyOf(names));
    }

    /** Two templates are the same when their text is: a reload compares environments by value. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Template t && text.equals(t.text) && names.equals(t.names);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    public String text() {
        return text;
    }

    public Set<String> names() {
        return names;
    }

    /** Renders with every value shell-quoted: nothing substituted can break out of its word. */
    public String renderShell(Map<String, String> values) {
        return render(values, ShellQuote::quote);
    }

    /** Renders as-is; the values must already be validated for the context (hosts, names, shas). */
    public String renderPlain(Map<String, String> values) {
        return render(values, UnaryOperator.identity());
    }

    private String render(Map<String, String> values, UnaryOperator<String> encode) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            if (!names.contains(m.group(1))) {
                m.appendReplacement(out, Matcher.quoteReplacement(m.group()));
                continue;
            }
            String value = values.get(m.group(1));
            if (value == null) {
                throw new IllegalStateException("no value for {{" + m.group(1) + "}}");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(encode.apply(value)));
        }
        m.appendTail(out);
        return out.toString();
    }

    @Override
    public String toString() {
        return text;
    }
}
