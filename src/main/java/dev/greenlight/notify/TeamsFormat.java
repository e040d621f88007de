package dev.greenlight.notify;

import dev.greenlight.http.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Microsoft Teams through a Workflows webhook ("When a Teams webhook request is received"): a message whose one
 * attachment is an Adaptive Card 1.4 (a title, the reason, the facts as a FactSet, links as Action.OpenUrl). Not the
 * Office 365 connector MessageCard, which Teams is retiring.
 */
public final class TeamsFormat implements MessageFormat {
    @Override
    public String render(Notice n) {
        List<Object> body = new ArrayList<>();
        body.add(text(n.title(), Map.of("weight", "Bolder", "size", "Medium", "color", color(n))));
        if (n.reason() != null) body.add(text(n.reason(), Map.of()));
        List<Object> facts = n.facts().stream().map(f -> (Object) Map.of("title", f.label(), "value", f.value())).toList();
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
