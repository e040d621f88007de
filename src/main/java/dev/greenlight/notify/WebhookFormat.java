package dev.greenlight.notify;

import dev.greenlight.http.Json;

/** The generic webhook: the notice itself, every field, as JSON. */
public final class WebhookFormat implements MessageFormat {
    @Override
    public String render(Notice notice) {
        return Json.write(notice);
    }
}
