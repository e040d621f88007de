package dev.greenlight.logging;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.greenlight.config.Secrets;

/**
 * {@code %maskedMsg} in logback.xml: the formatted message with every secret Greenlight read masked, whichever
 * class logged it (Greenlight's own, Camel's, a library's), so no call site has to remember to redact.
 */
public final class MaskedMessageConverter extends MessageConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return Secrets.redactEverywhere(super.convert(event));
    }
}
