package dev.greenlight.notify;

import dev.greenlight.http.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Discord webhook: {@code content} (at most 2000 characters) and one embed within Discord's limits (title 256,
 * description 4096, at most 25 fields with names of 256 and values of 1024, all of the embed's text together 6000: the
 * description is shortened first, then fields are left out from the end). Mentions are switched off: a reason quoting
 * "@everyone" pings nobody.
 */
public final class DiscordFormat implements MessageFormat {
    static final int CONTENT = 2000;
    static final int TITLE = 256;
    static final int DESCRIPTION = 4096;
    static final int FIELDS = 25;
    static final int FIELD_NAME = 256;
    static final int FIELD_VALUE = 1024;
    static final int EMBED_TOTAL = 6000;

    @Override
    public String render(Notice n) {
        String title = Texts.cut(n.title(), TITLE);
        List<Map<String, Object>> fields = new ArrayList<>();
        for (Notice.Fact f : n.facts()) {
            if (fields.size() == FIELDS) break;
            fields.add(field(Texts.cut(f.label(), FIELD_NAME), Texts.cut(f.value(), FIELD_VALUE), true));
        }
        for (Notice.Fact l : n.linkList()) {
            if (fields.size() == FIELDS) break;
            fields.add(field(l.label(), Texts.cut("[open](" + l.value() + ")", FIELD_VALUE), false));
        }
        int fieldText = fields.stream().mapToInt(DiscordFormat::length).sum();
        while (title.length() + fieldText > EMBED_TOTAL && !fields.isEmpty()) {
            fieldText -= length(fields.remove(fields.size() - 1));
        }
        int room = Math.min(DESCRIPTION, EMBED_TOTAL - title.length() - fieldText);
        String description = n.reason() == null || room <= 0 ? null : Texts.cut(n.reason(), room);
        Map<String, Object> embed = new LinkedHashMap<>();
        embed.put("title", title);
        if (n.links() != null && n.links().deployment() != null) embed.put("url", n.links().deployment());
        if (description != null) embed.put("description", description);
        embed.put("color", n.color());
        embed.put("fields", fields);
        if (n.at() != null) embed.put("timestamp", n.at().toString());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("content", Texts.cut(n.title(), CONTENT));
        body.put("embeds", List.of(embed));
        body.put("allowed_mentions", Map.of("parse", List.of()));
        return Json.write(body);
    }

    private static Map<String, Object> field(String name, String value, boolean inline) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("name", name);
        f.put("value", value);
        f.put("inline", inline);
        return f;
    }

    private static int length(Map<String, Object> field) {
        return ((String) field.get("name")).length() + ((String) field.get("value")).length();
    }
}
