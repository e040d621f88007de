package dev.greenlight.notify;

import dev.greenlight.http.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Microsoft Teams through a Workflows webhook ("When a Teams webhook request is received"): a message whose one
 * attachment is an Adaptive Card 1.4 (a title, the reason, the facts as a FactSet, links as Action.OpenUrl). Not the
 * Office 365 connector MessageCard, which Teams is retiring. Teams refuses a message over about 28 KB (HTTP 413), so
 * the texts are cut until the whole message, as UTF-8, fits in {@link #MAX_BYTES}.
 */
public final class TeamsFormat implements MessageFormat {
    static final int MAX_BYTES = 27 * 1024;
    private static final int TITLE = 400;
    private static final int REASON = 4000;
    private static final int VALUE = 1000;
    private static final int FACTS = 50;

    @Override
    public String render(Notice n) {
        String message = render(n, 1);
        // halving the room again and again ends at texts of a character or so each, which with at most FACTS facts fit
        for (int shrink = 2; shrink <= REASON && message.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES; shrink *= 2) {
            message = render(n, shrink);
        }
        return message;
    }

    private String render(Notice n, int shrink) {
        List<Object> body = new ArrayList<>();
        body.add(text(Texts.cut(n.title(), Math.max(TITLE / shrink, 8)), Map.of("weight", "Bolder", "size", "Medium", "color", color(n))));
        if (n.reason() != null && !n.reason().isBlank()) body.add(text(Texts.cut(n.reason(), Math.max(REASON / shrink, 1)), Map.of()));
        int value = Math.max(VALUE / shrink, 1);
        List<Object> facts = n.facts().stream().limit(FACTS)
                .map(f -> (Object) Map.of("title", Texts.cut(f.label(), value), "value", Texts.cut(f.value(), value))).toList();
        if (!facts.isEmpty()) body.add(Map.of("type", "FactSet", "facts", facts));
        Map<String, Object> card = new LinkedHashMap<>();
        card.put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
        card.put("type", "AdaptiveCard");
        card.put("version", "1.4");
        card.put("body", body);
        List<Object> actions = n.linkList().stream()
                .map(l -> (Object) Map.of("type", "Action.OpenUrl", "title", l.label(), "url", l.value())).toList();
        if (!actions.isEmpty()) card.put("actions", actions);
        Map<String, Object> attachment = new LinkedHashMap<>();
        attachment.put("contentType", "application/vnd.microsoft.card.adaptive");
        attachment.put("contentUrl", null);
        attachment.put("content", card);
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("type", "message");
        message.put("attachments", List.of(attachment));
        return Json.write(message);
    }

    private static Map<String, Object> text(String text, Map<String, Object> style) {
        Map<String, Object> block = new LinkedHashMap<>();
        block.put("type", "TextBlock");
        block.put("text", text);
        block.put("wrap", true);
        block.putAll(new java.util.TreeMap<>(style));
        return block;
    }

    /** Adaptive Card text colours: Attention (red), Warning, Good (green), Default. */
    private static String color(Notice n) {
        if ("succeeded".equals(n.event())) return "Good";
        return switch (n.kind().severity()) {
            case CRITICAL -> "Attention";
            case WARNING -> "Warning";
            case INFO -> "Default";
        };
    }
}
