package dev.greenlight.notify;

import dev.greenlight.http.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Mattermost incoming webhook: {@code text} in Markdown (the title in bold, the reason, the links) and one attachment
 * with the facts as short fields and the severity's colour. Text is kept under Mattermost's 16383 characters.
 */
public final class MattermostFormat implements MessageFormat {
    static final int TEXT = 16383;

    @Override
    public String render(Notice n) {
        StringBuilder text = new StringBuilder("**").append(escape(n.title())).append("**");
        if (n.reason() != null) text.append("\n").append(escape(n.reason()));
        for (Notice.Fact l : n.linkList()) text.append("\n[").append(l.label()).append("](").append(l.value()).append(")");
        Map<String, Object> attachment = new LinkedHashMap<>();
        attachment.put("fallback", n.title());
        attachment.put("color", String.format("#%06X", n.color()));
        attachment.put("fields", n.facts().stream()
                .map(f -> (Object) Map.of("short", true, "title", f.label(), "value", f.value())).toList());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("text", Texts.cut(text.toString(), TEXT));
        body.put("attachments", List.of(attachment));
        return Json.write(body);
    }

    /** Markdown characters that would turn a version or a reason into formatting. */
    static String escape(String text) {
        return text.replaceAll("([\\\\`*_\\[\\]#|~])", "\\\\$1");
    }
}
