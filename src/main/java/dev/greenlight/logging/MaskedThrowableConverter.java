package dev.greenlight.logging;

import ch.qos.logback.classic.pattern.ExtendedThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import dev.greenlight.config.Secrets;

/**
 * {@code %maskedEx} in logback.xml: a logged exception's stack trace (its messages, causes and suppressed ones)
 * with every secret Greenlight read masked. A pattern that names a throwable converter stops logback from
 * appending its own unmasked one.
 */
public final class MaskedThrowableConverter extends ExtendedThrowableProxyConverter {
    @Override
    protected String throwableProxyToString(IThrowableProxy proxy) {
        return Secrets.redactEverywhere(super.throwableProxyToString(proxy));
    }
}
