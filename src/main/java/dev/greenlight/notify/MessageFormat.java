package dev.greenlight.notify;

import java.util.Map;

/** A provider's JSON message for a notice; one implementation per {@code type}. */
public interface MessageFormat {
    String render(Notice notice);

    /** The format of a channel's {@code type} (validated by the configuration). */
    static MessageFormat of(String type) {
        MessageFormat format = Map.<String, MessageFormat>of("slack", new SlackFormat(), "discord", new DiscordFormat(),
                "teams", new TeamsFormat(), "mattermost", new MattermostFormat(), "webhook", new WebhookFormat())
                .get(type);
        if (format == null) throw new IllegalArgumentException("no message format for type " + type);
        return format;
    }
}
