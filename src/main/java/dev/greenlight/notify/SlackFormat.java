package dev.greenlight.notify;

import dev.greenlight.http.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Slack incoming webhook: Block Kit {@code blocks} (a header, the reason, the facts as fields, link buttons) and a plain
 * {@code text} fallback for notifications and clients that show no blocks. Limits: header 150 characters, section text
 * 3000, at most 10 fields of 2000, button text 75, at most 50 blocks (this format uses four); mrkdwn text, the top-level
 * {@code text} included, escapes {@code & < >}, and a cut never ends inside one of those escapes.
 */
public final class SlackFormat implements MessageFormat {
    @Override
    public String render(Notice n) {
        List<Object> blocks = new ArrayList<>();
        blocks.add(Map.of("type", "header", "text", plain(Texts.cut(n.title(), 150))));
        // a section's text may not be empty
        if (n.reason() != null && !n.reason().isBlank()) blocks.add(Map.of("type", "section", "text", mrkdwn(escaped(n.reason(), 3000))));
        List<Object> fields = n.facts().stream().limit(10)
                .map(f -> (Object) mrkdwn(escaped("*" + f.label() + "*\n" + f.value(), 2000)))
                .toList();
        if (!fields.isEmpty()) blocks.add(Map.of("type", "section", "fields", fields));
        List<Object> buttons = n.linkList().stream()
                .map(l -> (Object) Map.of("type", "button", "text", plain(Texts.cut(l.label(), 75)), "url", l.value()))
                .toList();
        if (!buttons.isEmpty()) blocks.add(Map.of("type", "actions", "elements", buttons));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("text", escaped(n.title() + (n.reason() == null || n.reason().isBlank() ? "" : ": " + n.reason()), 3000));
        body.put("blocks", blocks);
        return Json.write(body);
    }

    private static Map<String, Object> plain(String text) {
        return Map.of("type", "plain_text", "text", text);
    }

    private static Map<String, Object> mrkdwn(String text) {
        return Map.of("type", "mrkdwn", "text", text);
    }

    /** {@code text} escaped in at most {@code max} characters: what is cut is the raw text, so no escape is split. */
    static String escaped(String text, int max) {
        String out = escape(text);
        // each try keeps as much of the raw text as the last try's share of escapes allows
        for (int keep = max; out.length() > max; keep = Math.min(keep - 1, (int) ((long) keep * max / out.length()))) {
            out = escape(Texts.cut(text, keep));
        }
        return out;
    }

    /** The three characters Slack's mrkdwn reserves for links and mentions. */
    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
